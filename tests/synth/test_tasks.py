"""Labelled task sets: identity-disjoint splits, LFW-style verification folds, DISFA-style AU folds."""

import torch

from facessl.synth.expressions import EMOTIONS
from facessl.synth.presets import PRESETS
from facessl.synth.factors import NO_EMOTION
from facessl.synth.tasks import (
    au_stills_task,
    au_task,
    celeba_task,
    expression_task,
    pose_task,
    verification_pairs,
    verification_task,
)

TINY = PRESETS["tiny"]


def people_by_split(task) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
    out: dict[str, set[int]] = {}
    for split, person in zip(task.split, task.factors.identity.tolist(), strict=True):
        out.setdefault(split, set()).add(person)
    return out


def test_splits_are_identity_disjoint() -> None:
    for task in (expression_task(0, TINY), pose_task(0, TINY), celeba_task(0, TINY)):
        groups = people_by_split(task)
        assert set(groups) == {"train", "val", "test"}
        assert not (groups["train"] & groups["val"]) and not (groups["train"] & groups["test"])
        assert not (groups["val"] & groups["test"])


def test_task_people_are_never_pretraining_people() -> None:
    # The corpus uses people [0, 1e9); every task draws from its own range above it.
    sets = [expression_task(0, TINY), verification_task(0, TINY), au_task(0, TINY), pose_task(0, TINY)]
    ranges = [set(t.factors.identity.tolist()) for t in sets]
    assert all(min(r) >= 10**9 for r in ranges)
    assert all(not (a & b) for i, a in enumerate(ranges) for b in ranges[i + 1 :])


def test_expression_sets_cover_8_classes_and_7_without_contempt() -> None:
    eight, seven = expression_task(0, TINY), expression_task(0, TINY, classes=7)
    assert set(eight.factors.emotion.tolist()) == set(range(8))
    assert set(seven.factors.emotion.tolist()) == set(range(7))
    assert EMOTIONS.index("contempt") not in seven.factors.emotion.tolist()


def test_verification_has_10_folds_of_300_matched_and_300_mismatched_pairs() -> None:
    ids, split, pairs = verification_pairs(0, PRESETS["standard"])
    assert len(pairs) == 10 * 600
    folds: dict[int, set[int]] = {}
    for k, pair in enumerate(pairs):
        fold_block, within = divmod(k, 600)
        assert pair.fold == fold_block and pair.same == (within < 300)  # LFW order: matched lines first
        assert (ids[pair.first] == ids[pair.second]) == pair.same and pair.first != pair.second
        assert split[pair.first] == split[pair.second] == f"fold{pair.fold + 1}"
        folds.setdefault(pair.fold, set()).update((ids[pair.first], ids[pair.second]))
    assert all(not (folds[a] & folds[b]) for a in folds for b in folds if a < b)  # folds share no person
    assert len({(p.first, p.second) for p in pairs if p.same}) == 10 * 300  # no repeated matched pair


def test_verification_task_renders_the_pairs_structure() -> None:
    task = verification_task(0, TINY)
    ids, split, pairs = verification_pairs(0, TINY)
    assert task.factors.identity.tolist() == ids and task.split == split and task.pairs == pairs


def test_au_set_has_3_subject_exclusive_folds_and_smooth_intensities() -> None:
    task = au_task(0, TINY)
    groups = people_by_split(task)
    assert set(groups) == {"fold1", "fold2", "fold3"}
    assert all(not (groups[a] & groups[b]) for a in groups for b in groups if a < b)
    levels = task.factors.au_levels()
    assert int(levels.min()) >= 0 and int(levels.max()) <= 5 and int(levels.max()) >= 2
    first = task.rows("fold1")[: TINY.au_frames]
    steps = (task.factors.action_units[first][1:] - task.factors.action_units[first][:-1]).abs()
    assert float(steps.max()) < 0.35 and task.frame[first].tolist() == list(range(1, TINY.au_frames + 1))


def test_au_stills_draw_every_image_and_every_au_on_its_own() -> None:
    task = au_stills_task(7, people=40, images=3)
    assert len(task) == 120 and set(task.split) == {"train"}
    assert torch.equal(task.factors.identity.view(40, 3), task.factors.identity.view(40, 3)[:, :1].expand(40, 3))
    assert set(task.factors.emotion.tolist()) == {NO_EMOTION}
    present = (task.factors.action_units.amax(-1) > 0).float()  # (images, AUs)
    # Independent AUs: each is present in some images and absent in others, and no two always co-occur.
    rate = present.mean(0)
    assert float(rate.min()) > 0.05 and float(rate.max()) < 0.6
    together = (present.T @ present) / len(task)
    off_diagonal = together - torch.diag(torch.diag(together))
    assert float((off_diagonal - rate[:, None] * rate[None, :]).abs().max()) < 0.15
    # Its people are the AU videos' people of the same seed, so another seed gives other people.
    assert not set(task.factors.identity.tolist()) & set(au_task(0, TINY).factors.identity.tolist())
    assert torch.equal(au_stills_task(7, 40, 3).factors.action_units, task.factors.action_units)


def test_task_sets_are_reproducible() -> None:
    a, b = pose_task(5, TINY), pose_task(5, TINY)
    assert torch.equal(a.factors.pose, b.factors.pose) and a.split == b.split
    assert not torch.equal(pose_task(6, TINY).factors.pose, a.factors.pose)
