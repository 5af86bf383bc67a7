// zlib, for reading the gzip-compressed IDX files that Debian's dataset packages ship.
#include <zlib.h>
