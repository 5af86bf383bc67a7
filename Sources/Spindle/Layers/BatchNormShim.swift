// TEMPORARY until the per-channel BatchNormLayer lands from the norms branch.
extension BatchNormLayer {
    convenience init(channels: Int, positions: Int, offset: Int) {
        precondition(positions == 1, "per-channel batchnorm not merged yet")
        self.init(width: channels, offset: offset)
    }
}
