"""LatentFace (He et al., arXiv 2309.08273): Unsup3D image formation, the RDM's diffusion schedule and DDIM
sampler, stage-2 track batches and the composed features of research/latentface.md §5."""
