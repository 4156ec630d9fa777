"""SynthFaces: 3D faces with known identity, expression (FACS AUs), head pose and light, rendered by facessl.render.

Geometry and appearance: :mod:`~facessl.synth.mesh` (MediaPipe's canonical mesh),
:mod:`~facessl.synth.identity`, :mod:`~facessl.synth.action_units`, :mod:`~facessl.synth.expressions`,
:mod:`~facessl.synth.pose`, :mod:`~facessl.synth.face_model` (``FaceModel``),
:mod:`~facessl.synth.appearance`, plus the head around the mask (:mod:`~facessl.synth.head`), its
texture atlas (:mod:`~facessl.synth.atlas`) and people by integer (:mod:`~facessl.synth.people`).

Images: :mod:`~facessl.synth.factors` (``FaceFactors``, every ground-truth factor of a batch),
:mod:`~facessl.synth.scene` (``SceneRanges``, pose/light/camera sampling), :mod:`~facessl.synth.background`,
:mod:`~facessl.synth.sampling` (``sample_factors``) and :mod:`~facessl.synth.face_renderer`
(``FaceRenderer.render(factors, size)`` → uint8 images and landmarks).

Datasets: :mod:`~facessl.synth.corpus` (``SynthFacesCorpus``, the streaming VoxCeleb-like corpus behind
``DataConfig(source="synthfaces")``), :mod:`~facessl.synth.tasks` (labelled task sets with
identity-disjoint splits), :mod:`~facessl.synth.presets` and :mod:`~facessl.synth.export` (the published
layouts of VoxCeleb, RAF-DB, LFW, DISFA, 300W-LP, AFLW2000 and CelebA, plus ``ground_truth.csv``);
:mod:`~facessl.synth.preview` and :mod:`~facessl.synth.cli` (``facessl synth preview|export``).

Nothing is imported here, so that ``facessl --help`` does not build the face model.
"""
