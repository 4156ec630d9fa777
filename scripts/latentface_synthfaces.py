"""Measure a LatentFace run on SynthFaces, where every 3D factor is known (issue: LatentFace, Done-when).

Takes a stage-1 run (`latentface-ae`) and optionally a stage-2 run (`latentface-rdm`), and measures on people never
seen in training (a held-out SynthFaces corpus, identities from 500,000 on):

* stage 1: reconstruction PSNR (inside the validity mask, images in [0, 1]); Pearson correlation of the predicted
  viewpoint (netV's rotations about y and x) with the true yaw and pitch; of the predicted light direction's x and y
  (netL) with the true one's. Unsup3D's axes need not share SynthFaces' signs, so |r| is what matters;
* stage 2: the official metric of the representation diffusion model (research/latentface.md §4.2, §6): the cosine
  between a frame's neutral code n and its track's mean code, against the raw frame code's cosine; with
  ``--linear-people N``, also what a linear map learned from N training people's tracks achieves on that metric
  (`linear_reference`), the room a denoiser has to beat the raw code;
* with the evaluation suite on a SynthFaces export: expression (linear probe) and verification (10-fold cosine)
  of the composed features (§5) against the raw codes [a, d].

Writes a JSON and the results section of `docs/latentface.md` (between the markers). Usage::

    OMP_NUM_THREADS=2 python scripts/latentface_synthfaces.py --ae runs/lf_ae --rdm runs/lf_rdm \
        --data runs/synthfaces_small --json benchmarks/results/latentface_synthfaces.json --doc docs/latentface.md
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from facessl.augment.pcl_views import resize
from facessl.engine.train import load_trained_method
from facessl.eval import EvalSettings, evaluate_suite, find_data_roots
from facessl.eval.feature_source import source_from_run
from facessl.latentface.code_norm import CodeStandardizer
from facessl.latentface.image_formation import LightParams, ViewParams
from facessl.latentface.tracks import track_mean, track_mean_cosine
from facessl.methods.base import to_float01
from facessl.models.unsup3d import IMAGE_SIZE
from facessl.synth.corpus import SynthFacesCorpus
from facessl.synth.export import export

from doc_sections import write_doc  # scripts/doc_sections.py (this script's folder is on sys.path)

HELDOUT_IDENTITY_OFFSET = 500_000  # training corpora use people 0 .. num_identities - 1
FRAMES = 16  # §4.3
RIDGE_LAMBDAS = (1.0, 10.0, 100.0, 1_000.0, 10_000.0)


def heldout_corpus(people: int, seed: int) -> SynthFacesCorpus:
    """People × 1 video × 2 tracks × 16 frames, identities disjoint from any training corpus."""
    return SynthFacesCorpus(people, 1, 2, FRAMES, seed=seed, image_size=IMAGE_SIZE,
                            identity_offset=HELDOUT_IDENTITY_OFFSET)  # fmt: skip


def batches(corpus: SynthFacesCorpus, size: int) -> Any:
    """(uint8 images, factors) in order, `size` at a time (a multiple of 16 keeps tracks whole)."""
    for start in range(0, len(corpus), size):
        idx = list(range(start, min(start + size, len(corpus))))
        yield torch.stack([s.image for s in corpus.__getitems__(idx)]), corpus.factors(idx)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


@torch.no_grad()
def stage1_metrics(run: Path, corpus: SynthFacesCorpus) -> dict[str, float]:
    ae, _, _, _ = load_trained_method(run)
    ae.eval()
    psnr, view, light, true_pose, true_light = [], [], [], [], []
    for images, factors in batches(corpus, 64):
        x = ae.preprocess(resize(to_float01(images), IMAGE_SIZE))  # [-1, 1]
        formed, _, _ = ae.form(x)
        err = ((formed.recon - x) / 2) ** 2 * formed.mask  # [0, 1] scale, valid pixels only
        mse = err.sum((1, 2, 3)) / (3 * formed.mask.sum((1, 2, 3))).clamp_min(1)
        psnr.append(10 * torch.log10(1 / mse.clamp_min(1e-10)))
        view.append(torch.rad2deg(ViewParams.from_code(ae.netV(x)).angles))
        light.append(LightParams.from_code(ae.netL(x)).direction)
        true_pose.append(factors.pose)
        true_light.append(factors.light_direction)
    v, lt = torch.cat(view).numpy(), torch.cat(light).numpy()
    p, tl = torch.cat(true_pose).numpy(), torch.cat(true_light).numpy()
    return {
        "images": len(corpus),
        "psnr_db": float(torch.cat(psnr).mean()),
        "viewpoint_r_yaw": pearson(v[:, 1], p[:, 0]),  # rotation about y vs yaw
        "viewpoint_r_pitch": pearson(v[:, 0], p[:, 1]),  # rotation about x vs pitch
        "predicted_yaw_std_deg": float(v[:, 1].std()),
        "true_yaw_std_deg": float(p[:, 0].std()),
        "light_r_x": pearson(lt[:, 0], tl[:, 0]),
        "light_r_y": pearson(lt[:, 1], tl[:, 1]),
    }


def code_spread(codes: torch.Tensor, frames: int) -> dict[str, float]:
    """How a code varies, as root mean squares over its dimensions: the mean common to every frame, each track's mean
    about it, each frame about its track's mean; and the frames' share of the variance (within / total)."""
    common = codes.mean(0)
    means = track_mean(codes, frames)  # per frame; every track has `frames` frames, so the rms is per track too
    within, between = codes - means, means - common
    return {
        "rms_common": float(common.pow(2).mean().sqrt()),
        "rms_between_tracks": float(between.pow(2).mean().sqrt()),
        "rms_within_track": float(within.pow(2).mean().sqrt()),
        "within_track_variance_share": float(within.pow(2).sum() / (codes - common).pow(2).sum()),
    }


def linear_reference(train: torch.Tensor, test: torch.Tensor, frames: int) -> dict[str, float]:
    """The official metric on `test` tracks for a ridge map from a frame's standardised code to its track mean's offset
    from it, fit on `train` tracks (codes (N, D), track-major). λ is chosen on the last fifth of the training tracks,
    never on `test`; at large λ the map returns the raw code, so this is what a linear denoiser could add to it."""
    norm = CodeStandardizer(train.shape[1])
    norm.observe(train)

    def design(z: torch.Tensor) -> torch.Tensor:
        return torch.cat([z, torch.ones(len(z), 1)], 1).double()  # the standardised code and a bias

    def fit(z: torch.Tensor, lam: float) -> torch.Tensor:
        x, offsets = design(z), (track_mean(z, frames) - z).double()  # the track mean's offset from each frame
        return torch.linalg.solve(x.T @ x + lam * torch.eye(x.shape[1], dtype=x.dtype), x.T @ offsets)

    def score(weights: torch.Tensor, z: torch.Tensor, codes: torch.Tensor) -> float:
        estimate = norm.inverse(z + (design(z) @ weights).float())
        return float(track_mean_cosine(codes, estimate, frames))

    split = (len(train) // frames * 4 // 5) * frames
    z_train = norm(train)
    lam = max(RIDGE_LAMBDAS, key=lambda lam: score(fit(z_train[:split], lam), z_train[split:], train[split:]))
    return {"cosine": score(fit(z_train, lam), norm(test), test), "lambda": lam}


@torch.no_grad()
def stage2_metrics(run: Path, corpus: SynthFacesCorpus, linear_people: int = 0) -> dict[str, float]:
    """The official metric with the run's sampler, and what explains it: the same with the other DDIM mode, the
    largest code value, and the ceiling of a sampler that clips to [-1, 1] (legacy, §4.9): the cosine of the
    clipped track mean itself, the best any clipped neutral code can score (the clip acts in the denoiser's units:
    after the backbone's code_norm and code_scale)."""
    rdm, _, _, _ = load_trained_method(run)
    rdm.eval()
    own = rdm.encoder.sampler
    other = "correct" if own == "legacy" else "legacy"
    out: dict[str, list[float]] = {}
    codes: dict[str, list[torch.Tensor]] = {"a": [], "d": []}

    def add(key: str, value: float) -> None:
        out.setdefault(key, []).append(value)

    for images, _ in batches(corpus, 64):
        x = rdm.preprocess(resize(to_float01(images), IMAGE_SIZE))
        parts = rdm.encoder.parts(x)
        rdm.encoder.sampler = other
        other_parts = rdm.encoder.parts(x)
        rdm.encoder.sampler = own
        for code, neutral, which in (("a", "n_a", "albedo"), ("d", "n_d", "depth")):
            c = parts[code].float()
            codes[code].append(c)
            add(f"{code}_raw", float(track_mean_cosine(c, c, FRAMES)))
            add(f"{code}_neutral", float(track_mean_cosine(c, parts[neutral].float(), FRAMES)))
            add(f"{code}_neutral_{other}", float(track_mean_cosine(c, other_parts[neutral].float(), FRAMES)))
            in_units = rdm.encoder.to_denoiser(track_mean(c, FRAMES), which)
            clipped = rdm.encoder.from_denoiser(in_units.clamp(-1, 1), which)
            add(f"{code}_clipped_mean", float(track_mean_cosine(c, clipped, FRAMES)))
            add(f"{code}_max", float(c.abs().max()))
    metrics = {f"cosine_to_track_mean_{k}": float(np.mean(v)) for k, v in out.items() if not k.endswith("_max")}
    metrics |= {f"code_abs_max_{k[0]}": float(np.max(v)) for k, v in out.items() if k.endswith("_max")}
    metrics |= {f"{k}_{c}": v for c in codes for k, v in code_spread(torch.cat(codes[c]), FRAMES).items()}
    if linear_people:
        # Identities 0 .. N-1, the people a training corpus draws.
        train = SynthFacesCorpus(linear_people, 1, 2, FRAMES, seed=0, image_size=IMAGE_SIZE)
        seen = [rdm.codes(images) for images, _ in batches(train, 128)]
        for i, c in enumerate(codes):
            ref = linear_reference(torch.cat([s[i] for s in seen]), torch.cat(codes[c]), FRAMES)
            metrics |= {f"cosine_to_track_mean_{c}_linear": ref["cosine"], f"linear_lambda_{c}": ref["lambda"]}
        metrics["linear_people"] = linear_people
    metrics |= {"code_norm": rdm.encoder.code_norm, "code_scale": rdm.encoder.code_scale}
    return metrics | {"sampler": own, "tracks": len(corpus) // FRAMES}


def suite_metrics(run: Path, data: Path, sites: tuple[str, ...]) -> dict[str, dict[str, float]]:
    roots = find_data_roots(data)
    out = {}
    for site in sites:
        result = evaluate_suite(source_from_run(run, site), roots, ("expression", "verification"), EvalSettings(seeds=(0, 1, 2)))
        metrics = {}
        for report in result.reports:
            m = report.result["metrics"]
            if report.key.startswith("expression"):
                metrics["expression_accuracy"] = float(m["accuracy/mean"])
                metrics["expression_accuracy_std"] = float(m.get("accuracy/std", math.nan))
            elif report.key.startswith("verification"):
                metrics["verification_accuracy"] = float(m["accuracy_mean"])
                metrics["verification_accuracy_std"] = float(m.get("accuracy_std", math.nan))
        out[site] = metrics
    return out


def table(results: dict[str, Any]) -> str:
    s1, s2, ev = results["stage1"], results.get("stage2"), results.get("suite", {})
    lines = [
        f"Held-out SynthFaces people ({s1['images']} frames, {s1['images'] // FRAMES} tracks of {FRAMES}); "
        f"stage 1: `{results['ae_run']}` ({results['ae_steps']} steps × {results['ae_batch']} images)"
        + (f"; stage 2: `{results['rdm_run']}` ({results['rdm_steps']} steps{rdm_settings(s2)})" if s2 else "") + ".",
        "",
        "| stage 1 measurement | value |",
        "|---|---|",
        f"| reconstruction PSNR (masked, dB) | {s1['psnr_db']:.2f} |",
        f"| viewpoint vs true yaw (Pearson r) | {s1['viewpoint_r_yaw']:+.3f} |",
        f"| viewpoint vs true pitch (Pearson r) | {s1['viewpoint_r_pitch']:+.3f} |",
        f"| light direction x vs true (Pearson r) | {s1['light_r_x']:+.3f} |",
        f"| light direction y vs true (Pearson r) | {s1['light_r_y']:+.3f} |",
    ]
    if s2:
        lines += [
            "",
            "| stage 2: cosine to the track's mean code (§4.2) | raw frame code | RDM neutral code |",
            "|---|---|---|",
            f"| albedo code a | {s2['cosine_to_track_mean_a_raw']:.4f} | {s2['cosine_to_track_mean_a_neutral']:.4f} |",
            f"| depth code d | {s2['cosine_to_track_mean_d_raw']:.4f} | {s2['cosine_to_track_mean_d_neutral']:.4f} |",
        ]
        if "sampler" in s2:
            other = "correct" if s2["sampler"] == "legacy" else "legacy"
            lines += [
                "",
                f"The neutral codes above come from the run's `{s2['sampler']}` DDIM sampler; with `{other}` they score "
                f"{s2[f'cosine_to_track_mean_a_neutral_{other}']:.4f} (albedo) and "
                f"{s2[f'cosine_to_track_mean_d_neutral_{other}']:.4f} (depth). The codes reach "
                f"{s2['code_abs_max_a']:.1f} (albedo) and {s2['code_abs_max_d']:.1f} (depth), so a sampler that clips "
                "its output to [-1, 1] (legacy, §4.9) cannot score above the clipped track mean itself: "
                f"{s2['cosine_to_track_mean_a_clipped_mean']:.4f} and {s2['cosine_to_track_mean_d_clipped_mean']:.4f}.",
            ]
        if "linear_people" in s2:
            lines += [
                "",
                "A linear map from a frame's standardised code to its track mean, fit on the tracks of "
                f"{s2['linear_people']} training people (ridge; λ chosen on a fifth of them, never on these tracks), "
                f"scores {s2['cosine_to_track_mean_a_linear']:.6f} (albedo) and "
                f"{s2['cosine_to_track_mean_d_linear']:.6f} (depth) against the raw code's "
                f"{s2['cosine_to_track_mean_a_raw']:.6f} and {s2['cosine_to_track_mean_d_raw']:.6f}: "
                "the room these codes leave a denoiser.",
            ]
        if "rms_common_a" in s2:
            lines += ["", "| how the codes vary (root mean square over dimensions) | albedo a | depth d |", "|---|---|---|"]
            rows = (("rms_common", "mean common to every frame"), ("rms_between_tracks", "track mean about it"),
                    ("rms_within_track", "frame about its track mean"),
                    ("within_track_variance_share", "frames' share of the variance"))  # fmt: skip
            for key, label in rows:
                lines.append(f"| {label} | {s2[f'{key}_a']:.4f} | {s2[f'{key}_d']:.4f} |")
    if ev:
        lines += ["", "| features (evaluation suite, SynthFaces export, 3 seeds) | expression accuracy (7 classes) | "
                      "verification 10-fold accuracy |", "|---|---|---|"]  # fmt: skip
        for site, m in ev.items():
            lines.append(f"| `{site}` | {m['expression_accuracy']:.3f} ± {m['expression_accuracy_std']:.3f} | "
                         f"{m['verification_accuracy']:.3f} ± {m['verification_accuracy_std']:.3f} |")  # fmt: skip
    lines += ["", f"Measured in {results['seconds']:.0f} s on this machine's CPU. Reproduce:", "", "```",
              results["command"], "```"]  # fmt: skip
    return "\n".join(lines)


def rdm_settings(stage2: dict[str, Any]) -> str:
    """The RDM's deviations from the official code units, for the table's first line."""
    norm, scale = stage2.get("code_norm", "none"), stage2.get("code_scale", 1.0)
    words = ([f"code_norm={norm}"] if norm != "none" else []) + ([f"code_scale={scale:g}"] if scale != 1 else [])
    return f", {', '.join(words)}" if words else ""


def run_facts(run: Path) -> tuple[int, int]:
    from facessl.engine.checkpoint import load_train_state
    from facessl.engine.config import load_run_config

    cfg = load_run_config(run / "config.yaml", [])
    return int(load_train_state(run / "checkpoints" / "last.pt")["step"]), cfg.train.batch_size


def command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    """The command line that reproduces this run: --ae, --rdm, --data, and every other option not at its default."""
    words = ["OMP_NUM_THREADS=2 python scripts/latentface_synthfaces.py", f"--ae {args.ae}"]
    words += [f"--rdm {args.rdm}"] if args.rdm else []
    words += [f"--data {args.data}"]
    words += [f"--people {args.people}"] if args.people != parser.get_default("people") else []
    words += [f"--linear-people {args.linear_people}"] if args.linear_people else []
    words += ["--no-suite"] if args.no_suite else []
    outputs = [key for key in ("json", "doc") if getattr(args, key) != parser.get_default(key)]
    words += [f"--{key} {getattr(args, key)}" for key in outputs]
    return " ".join(words)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--ae", type=Path, required=True, help="latentface-ae run folder")
    parser.add_argument("--rdm", type=Path, help="latentface-rdm run folder (trained on --ae's encoders)")
    parser.add_argument("--data", type=Path, default=Path("runs/synthfaces_small"), help="SynthFaces export (made if absent)")
    parser.add_argument("--people", type=int, default=32, help="held-out people (2 tracks of 16 frames each)")
    parser.add_argument("--linear-people", type=int, default=0,
                        help="training people whose tracks fit the linear reference of stage 2 (0: skip it)")
    parser.add_argument("--no-suite", action="store_true", help="skip the expression/verification evaluation")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/latentface_synthfaces.json"))
    parser.add_argument("--doc", type=Path, default=Path("docs/latentface.md"),
                        help="an existing doc gets the table between its results markers; otherwise it is printed")
    return parser


def main() -> None:
    parser = make_parser()
    args = parser.parse_args()
    start = time.time()
    corpus = heldout_corpus(args.people, seed=7)
    results: dict[str, Any] = {"ae_run": str(args.ae), "stage1": stage1_metrics(args.ae, corpus)}
    results["ae_steps"], results["ae_batch"] = run_facts(args.ae)
    print(json.dumps(results["stage1"]), flush=True)
    if args.rdm:
        results["rdm_run"], (results["rdm_steps"], _) = str(args.rdm), run_facts(args.rdm)
        results["stage2"] = stage2_metrics(args.rdm, corpus, args.linear_people)
        print(json.dumps(results["stage2"]), flush=True)
        if not args.no_suite:
            if not (args.data / "synthfaces.json").is_file():
                export(args.data, "small")
            results["suite"] = suite_metrics(args.rdm, args.data, ("expression", "verification", "codes"))
            print(json.dumps(results["suite"]), flush=True)
    results["seconds"] = time.time() - start
    results["command"] = command(args, parser)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.doc.is_file():
        write_doc(args.doc, table(results))
    else:  # e.g. a run whose table is read from its log
        print(table(results))


if __name__ == "__main__":
    main()
