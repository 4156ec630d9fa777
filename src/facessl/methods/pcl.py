"""PCL (Liu et al., "Pose-disentangled Contrastive Learning for Self-supervised Facial
Representation", CVPR 2023, arXiv 2211.13490), following the official code as digested in
`shared/research/pcl.md` (§2.2: three optimizer steps per iteration).

Per iteration, on one uint8 batch:
  A. PDD: noisy s and mirror ŝ -> F_f, F_p -> four decodes, L1 to clean targets, + L_orth(s) + L_orth(ŝ).
  B. face-aware: two DistanceCrop views -> F_f -> exp_fc -> interpolated-negative InfoNCE, x w_exp.
  C. pose: 2 views + K flipped views of the first `pose_batch_size` images -> F_p -> pose_fc ->
     pose InfoNCE, x w_pose.
Each step calls `opt.step` (one shared optimizer, pcl.md §2.2). w_exp, w_pose come from Dynamic
Weight Averaging over fixed windows of iterations (pcl.md §2.3, §8.10).

Deviations from the official loop, all named: the engine delivers one batch per iteration, so
steps A and B see the same images (officially two independent loaders) and step C uses the
first `pose_batch_size` of them (officially a third loader); DWA windows are counted in
iterations rather than dataset epochs (pcl.md §8.10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from facessl import distributed
from facessl.augment.pcl_views import pcl_face_views, pcl_pose_views, resize
from facessl.losses.interpolated_infonce import MIX_ALPHA, TEMPERATURE, InterpolatedInfoNCELoss
from facessl.losses.orthogonality import orthogonality_loss
from facessl.losses.pose_infonce import NUM_FLIPPED_NEGATIVES, PoseInfoNCELoss, PoseNegatives
from facessl.methods.base import Method, Optimization, to_float01
from facessl.methods.diagnostics import embedding_std
from facessl.methods.registry import register_method
from facessl.models.pcl import PROJECTION_DIM, PCLDecoder, PCLEncoder, PCLProjectionHead, decoder_input
from facessl.models.pcl_encoder import TwoBranchEncoder

# pcl.md §1.3: sigma = 0.4 Gaussian noise on the encoder inputs of the PDD step.
PDD_NOISE_STD = 0.4
# pcl.md §2.2 C, §4: the pose step uses 10 images (hard-coded officially).
POSE_BATCH_SIZE = 10
# pcl.md §2.3: DWA temperature T = 2.
DWA_TEMPERATURE = 2.0
# pcl.md §3.1, §8.10: one VoxCeleb1 "epoch" is about 87 iterations of 256 images.
DWA_WINDOW = 87
# pcl.md §1.3: the decoder always outputs 64x64, so PCL trains at 64 px.
IMAGE_SIZE = 64


def dwa_weights(last: Tensor, before_last: Tensor, temperature: float = DWA_TEMPERATURE) -> Tensor:
    """Dynamic Weight Averaging: w_k = K exp(r_k / T) / sum_j exp(r_j / T), r_k = L_k(t-1) / L_k(t-2).

    Args:
        last: mean unweighted loss of each task over the previous window.
        before_last: the same over the window before it.
        temperature: T (pcl.md §2.3: 2).

    Shape:
        - last, before_last: (K,)
        - Output: (K,), summing to K
    """
    ratio = last / before_last
    return last.numel() * torch.softmax(ratio / temperature, dim=0)


@register_method("pcl")
class PCL(Method):
    """Pose-disentangled Contrastive Learning with the official three-step optimisation.

    Args:
        backbone: a `PCLEncoder` (trunk + face-aware + pose-related branches), or the ResNet-18 variant
            `PCLResNetEncoder` (branches split at layer4, pcl.md §8.1).
        projection_dim: output size of `exp_fc` and `pose_fc` (pcl.md §1.6: 512).
        temperature: InfoNCE temperature of both contrastive losses (pcl.md §1.6: 0.07).
        mix_alpha: Beta(alpha, alpha) negative mixing (pcl.md §1.6: 1.6).
        pose_batch_size: images used by the pose step (pcl.md §2.2 C: 10).
        pose_negatives: flipped views per pose image (pcl.md §2.2 C: 100).
        pose_negative_mode: "batch_blocks" (official effective behaviour, default) or
            "own_flips" (the intended scheme, pcl.md §8.4).
        noise_std: PDD input noise (pcl.md §1.3: 0.4).
        use_dwa: balance the two contrastive steps by DWA (pcl.md §2.3: on).
        dwa_window: iterations per DWA window (pcl.md §8.10: about 87).
        dwa_temperature: DWA T (pcl.md §2.3: 2).
        pdd_only_iterations: the official warm-up (pcl.md §2.2 "Warm-up path"): for this many
            iterations only a reconstruction-only PDD step runs. 0 (official config: -1) disables it.
        optimization: "alternating" (official: three optimizer steps per iteration) or "joint"
            (one step on the sum, the older formulation; pcl.md §8.3).
        idle_updates: keep gradients as zeros instead of None between steps, so Adam keeps moving
            parameters a step does not use (momentum and L2 decay), as under torch 1.7
            (pcl.md §2.2, §8.3: default on). False gives modern PyTorch behaviour.
        gather_distributed: face-step negatives from every rank (officially single-process).
        image_size: view and reconstruction size; only 64 is supported (pcl.md §1.3).

    Notes:
        The official optimizer is Adam(lr 1e-4, weight_decay 1e-3 as L2) on every parameter
        with a per-epoch cosine schedule (pcl.md §4); these are engine settings.
    """

    def __init__(
        self,
        backbone: nn.Module,
        projection_dim: int = PROJECTION_DIM,
        temperature: float = TEMPERATURE,
        mix_alpha: float = MIX_ALPHA,
        pose_batch_size: int = POSE_BATCH_SIZE,
        pose_negatives: int = NUM_FLIPPED_NEGATIVES,
        pose_negative_mode: PoseNegatives = "batch_blocks",
        noise_std: float = PDD_NOISE_STD,
        use_dwa: bool = True,
        dwa_window: int = DWA_WINDOW,
        dwa_temperature: float = DWA_TEMPERATURE,
        pdd_only_iterations: int = 0,
        optimization: Literal["alternating", "joint"] = "alternating",
        idle_updates: bool = True,
        gather_distributed: bool = False,
        image_size: int = IMAGE_SIZE,
    ) -> None:
        super().__init__()
        if not isinstance(backbone, TwoBranchEncoder):
            raise TypeError("PCL needs a two-branch backbone (trunk + face-aware and pose branches), a TwoBranchEncoder: "
                            f"backbone.name=pcl or pcl_resnet18, got {type(backbone).__name__}")
        if image_size != IMAGE_SIZE:
            raise ValueError(f"PCL's decoder outputs 64x64 (pcl.md §1.3); image_size={image_size} is not supported")
        if optimization not in ("alternating", "joint"):
            raise ValueError(f"optimization must be 'alternating' or 'joint', got {optimization!r}")
        if dwa_window < 1:
            raise ValueError(f"dwa_window must be >= 1, got {dwa_window}")
        self.encoder = backbone
        if isinstance(backbone, PCLEncoder):
            width = IMAGE_SIZE // 16  # branch map side at 64 px, whatever input_size the encoder was built for
            dim = 128 * width * width
        else:  # pcl.md §8.1's ResNet-18 variant: pooled layer4 branches
            dim = backbone.branch_features
        # Official attribute names (pcl.md §7.4): exp_fc, pose_fc, decoder.
        self.exp_fc = PCLProjectionHead(dim, dim, projection_dim)
        self.pose_fc = PCLProjectionHead(dim, dim, projection_dim)
        self.decoder = PCLDecoder(dim)
        self.face_loss = InterpolatedInfoNCELoss(temperature, mix_alpha, gather_distributed)
        self.pose_loss = PoseInfoNCELoss(pose_negative_mode, temperature, mix_alpha)
        self.pose_batch_size, self.pose_negatives = pose_batch_size, pose_negatives
        self.noise_std, self.image_size = noise_std, image_size
        self.use_dwa, self.dwa_window, self.dwa_temperature = use_dwa, dwa_window, dwa_temperature
        self.pdd_only_iterations, self.optimization = pdd_only_iterations, optimization
        self.zero_grad_to_none = not idle_updates  # read by the engine's OptimizerStepper
        # Training state kept in buffers so checkpoints resume it exactly (index 0: face, 1: pose).
        self.register_buffer("iteration", torch.zeros((), dtype=torch.long))
        self.register_buffer("dwa_steps", torch.zeros((), dtype=torch.long))  # iterations with B and C
        self.register_buffer("dwa_sums", torch.zeros(2))
        self.register_buffer("dwa_history", torch.zeros(2, 2))  # rows: window before last, last
        self.register_buffer("dwa_windows", torch.zeros((), dtype=torch.long))
        self.register_buffer("loss_weights", torch.ones(2))

    # ------------------------------------------------------------------ the three steps

    def _noise(self, x: Tensor, generator: torch.Generator) -> Tensor:
        return torch.randn(x.shape, generator=generator, device=generator.device).to(x.device) * self.noise_std

    def _pdd_loss(
        self, s: Tensor, generator: torch.Generator, reconstruction_only: bool
    ) -> tuple[Tensor, dict[str, Tensor]]:
        """Step A (pcl.md §1.3, §1.4): four reconstructions of s and ŝ plus L_orth on both."""
        s_hat = s.flip(-1)
        b = s.shape[0]
        noisy = torch.cat([s + self._noise(s, generator), s_hat + self._noise(s_hat, generator)])
        # One encoder pass for both: PCL's encoder has no BatchNorm, so this equals two passes
        # (the ResNet variant normalises s and ŝ together; pcl_resnet.py).
        _, face, pose = self.encoder.forward_all(noisy)
        f_s, f_h, p_s, p_h = face[:b], face[b:], pose[:b], pose[b:]
        # Four separate decoder calls, as officially: each gets its own BatchNorm statistics.
        recon = {
            "recon_swap_s": F.l1_loss(self.decoder(decoder_input(f_h, p_s)).float(), s),
            "recon_swap_flip": F.l1_loss(self.decoder(decoder_input(f_s, p_h)).float(), s_hat),
            "recon_self_s": F.l1_loss(self.decoder(decoder_input(f_s, p_s)).float(), s),
            "recon_self_flip": F.l1_loss(self.decoder(decoder_input(f_h, p_h)).float(), s_hat),
        }
        orth = orthogonality_loss(f_s, p_s) + orthogonality_loss(f_h, p_h)
        if reconstruction_only:  # official warm-up: 4th term zeroed, L_orth computed but not added
            loss = recon["recon_swap_s"] + recon["recon_swap_flip"] + recon["recon_self_s"]
        else:
            loss = sum(recon.values(), orth)
        logs = {k: v.detach() for k, v in recon.items()}
        logs.update(orth=orth.detach(), pdd_loss=loss.detach())
        return loss, logs

    def _face_loss(self, images: Tensor, generator: torch.Generator) -> tuple[Tensor, dict[str, Tensor]]:
        """Step B (pcl.md §2.1, §3.3): DistanceCrop views -> F_f -> exp_fc -> interpolated InfoNCE."""
        v0, v1 = pcl_face_views(images, generator, self.image_size)
        z = self.exp_fc(self.encoder.forward_face(torch.cat([v0, v1])))  # one head call, as officially
        z0, z1 = z.chunk(2)
        loss = self.face_loss(z0, z1, generator)
        return loss, {"face_loss": loss.detach(), "face_z_std": embedding_std(z0)}

    def _pose_loss(self, x: Tensor, generator: torch.Generator) -> tuple[Tensor, dict[str, Tensor]]:
        """Step C (pcl.md §2.2 C, §3.4): positives and flipped negatives -> F_p -> pose_fc -> pose InfoNCE."""
        v0, v1, negatives = pcl_pose_views(x[: self.pose_batch_size], generator, self.pose_negatives, self.image_size)
        # Two head calls (positives, negatives), as officially: BatchNorm statistics differ.
        z = self.pose_fc(self.encoder.forward_pose(torch.cat([v0, v1])))
        z_neg = self.pose_fc(self.encoder.forward_pose(negatives))
        z0, z1 = z.chunk(2)
        loss = self.pose_loss(z0, z1, z_neg, generator)
        return loss, {"pose_loss": loss.detach(), "pose_z_std": embedding_std(z0)}

    # ------------------------------------------------------------------ DWA

    @torch.no_grad()
    def _update_dwa(self, face_loss: Tensor, pose_loss: Tensor) -> None:
        """Accumulate the unweighted losses; at each window end, shift the history and re-weight.

        Branch-free on tensors (no host sync): weights stay 1 until two windows are complete,
        then window t uses the ratio of windows t-1 and t-2 (pcl.md §2.3).
        """
        self.dwa_sums += torch.stack([face_loss.detach().float(), pose_loss.detach().float()])
        self.dwa_steps += 1
        boundary = self.dwa_steps % self.dwa_window == 0
        # Averaged over ranks so every rank weights its losses alike (one 2-float all-reduce).
        means = distributed.all_reduce_mean(self.dwa_sums) / self.dwa_window
        self.dwa_history.copy_(torch.where(boundary, torch.stack([self.dwa_history[1], means]), self.dwa_history))
        self.dwa_windows += boundary.long()
        self.dwa_sums.copy_(torch.where(boundary, torch.zeros_like(self.dwa_sums), self.dwa_sums))
        if self.use_dwa:
            fresh = dwa_weights(self.dwa_history[1], self.dwa_history[0], self.dwa_temperature)
            self.loss_weights.copy_(torch.where(boundary & (self.dwa_windows >= 2), fresh, self.loss_weights))

    # ------------------------------------------------------------------ one iteration

    def training_step(self, images: Tensor, opt: Optimization) -> dict[str, Tensor]:
        g = opt.generator
        s = resize(to_float01(images), self.image_size)  # PDD images, [0, 1] (pcl.md §3.2)
        # One host sync per iteration, for the warm-up switch only (off by default).
        warm_up = self.pdd_only_iterations > 0 and int(self.iteration) < self.pdd_only_iterations
        if warm_up:
            loss, logs = self._pdd_loss(s, g, reconstruction_only=True)
            opt.step(loss, "pdd")
            self.iteration += 1
            return {**logs, "loss": logs["pdd_loss"]}

        w_face, w_pose = self.loss_weights[0], self.loss_weights[1]
        if self.optimization == "alternating":  # pcl.md §2.2: A, B, C, each its own step
            pdd, logs = self._pdd_loss(s, g, reconstruction_only=False)
            opt.step(pdd, "pdd")
            face, face_logs = self._face_loss(images, g)
            opt.step(w_face * face, "face")
            pose, pose_logs = self._pose_loss(s, g)
            opt.step(w_pose * pose, "pose")
        else:  # pcl.md §8.3 "joint loss" option: one step on the weighted sum
            pdd, logs = self._pdd_loss(s, g, reconstruction_only=False)
            face, face_logs = self._face_loss(images, g)
            pose, pose_logs = self._pose_loss(s, g)
            opt.step(pdd + w_face * face + w_pose * pose, "loss")
        logs.update(face_logs)
        logs.update(pose_logs)
        logs.update(w_face=w_face.detach().clone(), w_pose=w_pose.detach().clone())
        self._update_dwa(face, pose)
        self.iteration += 1
        logs["loss"] = logs["pdd_loss"] + logs["w_face"] * logs["face_loss"] + logs["w_pose"] * logs["pose_loss"]
        return logs

    # ------------------------------------------------------------------ evaluation

    def feature_sites(self) -> dict[str, Callable[[Tensor], Tensor]]:
        """trunk (what every official probe uses, pcl.md §5), face (F_f), pose (F_p) and
        concat (trunk ⊕ F_f, the ablation of pcl.md §8.2); inputs are [0, 1] images."""
        enc = self.encoder

        def concat(x: Tensor) -> Tensor:
            trunk, face, _ = enc.forward_all(x)
            return torch.cat([trunk, face], dim=1)

        return {"trunk": enc.forward, "face": enc.forward_face, "pose": enc.forward_pose, "concat": concat}


__all__ = ["PCL", "dwa_weights"]
