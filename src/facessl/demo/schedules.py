"""How big each part of `facessl demo` is: pretraining schedules, task-set sizes, t-SNE set, seeds.

Three schedules:

- ``demo`` (the default of ``facessl demo`` / ``make demo``): sized to finish in 10 minutes on 2 CPU cores.
  Every method trains for a minute or so; the numbers show that the pipeline runs end to end, not what the
  methods can learn (the report says so).
- ``full`` (``facessl demo --full``): the longer schedules, days on a CPU, meant for a GPU (``FULL_CPU_HOURS``).
- ``smoke``: a few iterations of everything on minute task sets, for the test suite.

Each method's settings start from its config in ``configs/`` (official values, cited there) and change only the
schedule-size keys (steps, batch, corpus size) plus the deviations named in ``DEMO_DEVIATIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from facessl.synth.presets import PRESETS, Preset

METHODS = ("simclr", "pcl", "latentface-ae", "latentface-rdm")
TITLES = {"simclr": "SimCLR", "pcl": "PCL", "latentface-ae": "LatentFace stage 1",
          "latentface-rdm": "LatentFace stage 2"}  # fmt: skip

# The method and backbone sections of configs/{simclr,pcl,latentface_ae,latentface_rdm}.yaml that every
# schedule shares (values cited in those files). The stage-2 autoencoder path is added at run time.
METHOD_BASE: dict[str, tuple[str, ...]] = {
    "simclr": ("method.name=simclr", "method.proj_dim=128", "method.crop_min_scale=0.2", "backbone.name=resnet18",
               "train.optimizer=adamw", "train.weight_decay=1.0e-6"),
    "pcl": ("method.name=pcl", "backbone.name=pcl", "backbone.input_size=64", "train.optimizer=adam",
            "train.lr=1.0e-4", "train.weight_decay=1.0e-3", "train.warmup_steps=0", "train.lr_scaling=none"),
    # No VGG16 file is available offline: the perceptual term is the named SSIM alternative (docs/latentface.md).
    "latentface-ae": ("method.name=latentface-ae", "method.perceptual=ssim", "backbone.name=unsup3d",
                      "train.optimizer=adam", "train.lr=1.0e-4", "train.weight_decay=5.0e-4", "train.warmup_steps=0",
                      "train.min_lr_ratio=1.0"),
    "latentface-rdm": ("method.name=latentface-rdm", "backbone.name=latentface", "method.frames_per_track=16",
                       "data.frames_per_track=16", "train.batch_size=16", "train.optimizer=adam", "train.lr=1.0e-4",
                       "train.weight_decay=5.0e-4", "train.warmup_steps=0", "train.min_lr_ratio=1.0",
                       "train.grad_clip=1.0"),
}  # fmt: skip

# What the demo schedule changes besides sizes, and why (written into the report).
DEMO_DEVIATIONS = (
    "SimCLR uses the ImageNet stem (÷4) instead of face64: about 4× cheaper at 64 px, so it gets enough iterations "
    "in a minute; temperature 0.2 and colour strength 0.5 suit its small batches.",
    "PCL's pose step uses 4 images with 8 mirrored negatives each (official: 10 with 100, pcl.md §2.2 C): the "
    "official step alone takes about a minute per iteration on 2 CPU cores.",
    "LatentFace stage 1 uses the SSIM perceptual term (official: VGG16 relu3_3, which needs a local weights file).",
)


@dataclass(frozen=True)
class Schedule:
    """Sizes of one demo run.

    Attributes:
        name: ``smoke``, ``demo`` or ``full``.
        runs: per method, the ``section.key=value`` overrides on top of `METHOD_BASE` (steps, batch, data).
        tasks: the SynthFaces task-set sizes (`facessl.synth.export`), evaluated by the four protocols.
        tsne_people: people of the t-SNE set (coloured by identity, so at most 10 for tab10).
        tsne_images: images per person of the t-SNE set.
        seeds: seeds of the protocols with randomness (at least 3).
        figure_faces: faces shown in the PCL swap and LatentFace figures.
    """

    name: str
    runs: dict[str, tuple[str, ...]]
    tasks: Preset
    tsne_people: int = 10
    tsne_images: int = 24
    seeds: tuple[int, ...] = (0, 1, 2)
    figure_faces: int = 4

    def overrides(self, method: str) -> list[str]:
        """The full override list of `method` (base, then this schedule's sizes)."""
        return [*METHOD_BASE[method], *self.runs[method]]

    def steps(self, method: str) -> int:
        """Pretraining iterations of `method` in this schedule."""
        for item in reversed(self.runs[method]):
            if item.startswith("train.steps="):
                return int(item.split("=", 1)[1])
        raise KeyError(f"schedule {self.name!r} gives no train.steps for {method}")


def _data(length: int, people: int, workers: int = 0) -> tuple[str, ...]:
    # workers=0: render in the training process; on 2 cores a rendering worker only competes with training.
    return ("data.source=synthfaces", "data.image_size=64", f"data.length={length}",
            f"data.num_identities={people}", f"data.num_workers={workers}")  # fmt: skip


def _train(steps: int, batch: int, log_every: int, precision: str = "fp32") -> tuple[str, ...]:
    return (f"train.steps={steps}", f"train.batch_size={batch}", f"train.log_every={log_every}",
            f"train.checkpoint_every={steps}", f"train.precision={precision}", "train.seed=0")  # fmt: skip


# Task sets of the demo: a few hundred images, big enough for every protocol's splits (7 expression classes with
# at least 2 training images each, 3 AU subjects per fold, 10 verification folds), small enough to render in
# seconds. RAF-DB 7-class: 12 train / 4 test people × 8 images.
DEMO_TASKS = Preset("demo", (12, 2, 4), 8, (8, 1, 4), 6, (1, 1, 1), 1, 10, 5, 3, 6, 16, 1, 1, 1, 1)
SMOKE_TASKS = Preset("smoke", (4, 1, 2), 8, (3, 1, 1), 4, (1, 1, 1), 1, 10, 2, 2, 3, 8, 1, 1, 1, 1)

SCHEDULES: dict[str, Schedule] = {
    "smoke": Schedule(
        "smoke",
        {
            "simclr": (*_data(64, 4), *_train(2, 8, 1), "backbone.stem=imagenet", "train.warmup_steps=1"),
            "pcl": (*_data(64, 4), *_train(1, 4, 1), "method.pose_batch_size=2", "method.pose_negatives=2"),
            "latentface-ae": (*_data(64, 4), *_train(1, 4, 1)),
            "latentface-rdm": (*_data(64, 4), *_train(2, 4, 1), "method.frames_per_track=4", "data.frames_per_track=4",
                               "train.batch_size=4"),
        },
        SMOKE_TASKS, tsne_people=3, tsne_images=4, figure_faces=2,
    ),  # fmt: skip
    "demo": Schedule(
        "demo",
        {
            "simclr": (*_data(4096, 64), *_train(80, 32, 2), "backbone.stem=imagenet", "method.temperature=0.2",
                       "method.color_strength=0.5", "train.lr=0.002", "train.warmup_steps=10"),
            "pcl": (*_data(4096, 64), *_train(30, 8, 1), "method.pose_batch_size=4", "method.pose_negatives=8"),
            "latentface-ae": (*_data(4096, 64), *_train(60, 8, 2)),
            "latentface-rdm": (*_data(4096, 64), *_train(150, 16, 5)),
        },
        DEMO_TASKS,
    ),  # fmt: skip
    "full": Schedule(
        "full",
        {
            # configs/simclr.yaml as it is (face64 stem, temperature 0.5), on SynthFaces.
            "simclr": (*_data(65536, 2048, 2), *_train(2000, 128, 10), "backbone.stem=face64",
                       "method.temperature=0.5", "train.lr=0.001", "train.warmup_steps=100"),
            # Official pose step (10 images × 100 mirrored negatives); a batch of 64 instead of 256.
            "pcl": (*_data(65536, 2048, 2), *_train(2000, 64, 10)),
            "latentface-ae": (*_data(65536, 2048, 2), *_train(5000, 32, 10)),
            "latentface-rdm": (*_data(65536, 2048, 2), *_train(5000, 16, 10)),
        },
        PRESETS["small"],
    ),  # fmt: skip
}

# Expected cost of `full` on 2 CPU cores, estimated from per-iteration times measured on this project's 2-core
# machine (see the demo report's pretraining table): PCL's official pose step (10 images × 100 mirrored views)
# is most of it (about a minute per iteration), then SimCLR with the face64 stem and LatentFace stage 1 (about
# 10 hours each). The schedule is meant for a GPU, where it has not been timed.
FULL_CPU_HOURS = "about 2–3 days"


def get_schedule(name: str) -> Schedule:
    """The schedule called `name` (``smoke``, ``demo`` or ``full``)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown demo schedule {name!r}; choose one of: {', '.join(SCHEDULES)}")
    return SCHEDULES[name]
