"""The search index's typo search: only keys of a length that can reach the cutoff are compared."""

import random

from rapidfuzz import fuzz, process

from knowledge.index import FUZZY_CUTOFF, TYPOS, LanguageIndex


def test_the_typo_search_finds_what_rapidfuzz_finds_among_all_keys_of_the_first_letter():
    rng = random.Random(12)
    stems = ["pasport", "salary", "sa", "salar", "passwords", "pay", "paisa", "pai"]
    keys = {stem + "".join(rng.choice("aeiklnrst") for _ in range(rng.randint(0, 9)))
            for stem in stems for _ in range(60)}
    keys = sorted(keys, key=lambda _key: rng.random())  # the postings' order is no order
    index = LanguageIndex(["slug"], [dict.fromkeys(keys, 1.0)])
    words = ["pasport", "pasaport", "salary", "salry", "paisa", "passwordsss", "sala", "pqqqqq"]
    words += [key[:cut] + key[cut + 1 :] for key in keys[:40] for cut in (1, 3)]
    for word in words:
        bucket = [key for key in keys if key[0] == word[0] and len(key) >= 4]
        expected = process.extract(
            word, bucket, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=TYPOS
        )
        found = index.buckets[word[0]].closest(word, FUZZY_CUTOFF, TYPOS)
        assert found == [(key, ratio) for key, ratio, _ in expected], word


def test_of_equally_close_keys_the_typo_search_keeps_the_first_in_the_postings():
    # 'abcdefghijkl' is as close to each of these (ratio 85.7): the index's order decides.
    longer = ["abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnor"]
    shorter = ["abcdefghi", "abcdefghj", "abcdefghk"]
    index = LanguageIndex(["slug"], [dict.fromkeys(longer + shorter, 1.0)])
    found = index.buckets["a"].closest("abcdefghijkl", FUZZY_CUTOFF, TYPOS)
    assert [key for key, _ratio in found] == [*longer, shorter[0]]
