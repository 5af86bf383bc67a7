"""Writes people.csv and people_test.csv, the small table of the tutorial's "Tables" section:
synthetic census-like rows (not real people) with a word label, categorical columns and missing
cells, so that every step of a real table — import, train, predict from the raw CSV — can be
shown on data that ships with the repository.

Columns: age (integer, 'NA' in about 1 row of 17), workclass (4 words, '?' in 1 of 19),
education (5 words), hours (per week, empty in 1 of 23), income ('<=50K' or '>50K', about 1 in 4
'>50K': imbalanced). Income depends on hours, education and workclass, with noise.

Run from the repository's root: python3 data/make_people.py
"""
import numpy as np

rng = np.random.default_rng(14)
WORK = np.array(["Private", "Self-emp", "State-gov", "Never-worked"])
EDUCATION = np.array(["HS-grad", "Some-college", "Bachelors", "Masters", "Doctorate"])


def write(path, rows):
    with open(path, "w") as f:
        f.write("age,workclass,education,hours,income\n")
        for i in range(rows):
            w = rng.choice(4, p=[0.6, 0.2, 0.15, 0.05])
            e = rng.choice(5, p=[0.35, 0.3, 0.2, 0.1, 0.05])
            age = rng.integers(18, 70)
            hours = rng.uniform(10, 80)
            score = hours / 10 + 1.2 * e + 1.5 * (w == 1) - 3 * (w == 3) + 0.03 * age + rng.normal(0, 1.2)
            rich = score > 9.3
            age_text = "NA" if i % 17 == 0 else f"{age}"
            hours_text = "" if i % 23 == 0 else f"{hours:.1f}"
            work_text = "?" if i % 19 == 0 else WORK[w]
            f.write(f"{age_text},{work_text},{EDUCATION[e]},{hours_text},{'>50K' if rich else '<=50K'}\n")


write("data/people.csv", 800)
write("data/people_test.csv", 200)
