"""Offline face detectors behind one small protocol: OpenCV Haar cascades (default) and MediaPipe (extra).

Both ship their models inside their wheels, so nothing is downloaded (environment.md §3,
ecosystem.md §6). OpenCV must be < 5: opencv-python-headless 5.0 has no ``CascadeClassifier``
and no ``cv2.data`` cascades. MediaPipe 0.10.21 is the last release with the bundled
``mp.solutions`` models and pins numpy < 2 and protobuf < 5, so it is an optional extra.
"""

from __future__ import annotations

from typing import Any, Protocol

import cv2
import numpy as np

from facessl.prepare.faces import Face

MEDIAPIPE_HINT = (
    "the 'mediapipe' detector needs mediapipe 0.10.21 (the last release that bundles its face models; "
    "it pins numpy<2 and protobuf<5, so install it in a separate environment: "
    "pip install 'mediapipe==0.10.21'), or use --detector haar"
)


# tan(30°): the frontal-face cascade does not fire on faces rolled much beyond this, so a steeper
# eye pair is a false detection.
MAX_EYE_SLOPE = 0.577


class DetectorError(RuntimeError):
    """A detector cannot be built (missing package, unusable version, missing model file)."""


class Detector(Protocol):
    """Finds faces in an RGB image; ``name`` and ``version`` go into every manifest row."""

    name: str
    version: str

    def detect(self, image: np.ndarray) -> list[Face]:
        """Faces in an ``(H, W, 3)`` uint8 RGB image, largest first."""
        ...


class HaarDetector:
    """OpenCV's frontal-face Haar cascade, plus the eye cascade inside each face for eye-line rotation.

    Parameters are the common ``detectMultiScale`` settings that find the astronaut's face
    (environment.md §3: scaleFactor 1.1, minNeighbors 5 give ``[177, 66, 95, 95]``).

    Args:
        max_side: Images are shrunk so that their longer side is at most this before detection
            (Haar cost grows with area; boxes are mapped back to full resolution).
        min_face: Smallest face side, in pixels of the full-resolution image. With ``max_side``
            480 this halves the detection time against 640 / 24 px on the astronaut (0.07 s vs
            0.22 s here) and still suits face datasets, whose faces are large.
        find_eyes: Also run the eye cascade, giving 2-point landmarks (eye centres).
    """

    name = "haar"

    def __init__(self, max_side: int = 480, min_face: int = 40, find_eyes: bool = True) -> None:
        if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "data"):
            raise DetectorError(f"OpenCV {cv2.__version__} has no Haar cascades; install opencv-python-headless<5")
        folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in the type stubs
        self._faces = cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml")
        self._eyes = cv2.CascadeClassifier(folder + "haarcascade_eye.xml") if find_eyes else None
        if self._faces.empty() or (self._eyes is not None and self._eyes.empty()):
            raise DetectorError(f"OpenCV's Haar cascade files are missing under {folder}")
        self.max_side, self.min_face = max_side, min_face
        self.version = f"opencv-{cv2.__version__} haarcascade_frontalface_default"

    def detect(self, image: np.ndarray) -> list[Face]:
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        factor = min(1.0, self.max_side / max(gray.shape))
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
        min_side = max(8, int(round(self.min_face * factor)))
        found = self._faces.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side))
        faces = []
        for x, y, w, h in np.asarray(found).reshape(-1, 4):
            box = (x / factor, y / factor, w / factor, h / factor)
            faces.append(Face(box=box, landmarks=self._eye_points(gray, box)))
        return sorted(faces, key=lambda f: -f.area)

    def _eye_points(self, gray: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
        """The two eye centres found in the upper 60% of the box, one in each half, or ``None``."""
        if self._eyes is None:
            return None
        x, y, w, h = (int(round(v)) for v in box)
        region = gray[max(0, y) : y + int(h * 0.6), max(0, x) : x + w]
        if region.size == 0:
            return None
        found = np.asarray(self._eyes.detectMultiScale(region, scaleFactor=1.1, minNeighbors=5)).reshape(-1, 4)
        centres = [(max(0, x) + ex + ew / 2, max(0, y) + ey + eh / 2, ew * eh) for ex, ey, ew, eh in found]
        left = [c for c in centres if c[0] < x + w / 2]
        right = [c for c in centres if c[0] >= x + w / 2]
        if not left or not right:
            return None
        best = [max(side, key=lambda c: c[2]) for side in (left, right)]
        dx, dy = best[1][0] - best[0][0], best[1][1] - best[0][1]
        if abs(dy) > abs(dx) * MAX_EYE_SLOPE:  # a false eye hit (brow, nostril) would rotate the crop wildly
            return None
        return np.array([[c[0], c[1]] for c in best], dtype=np.float32)


class MediaPipeDetector:
    """MediaPipe's bundled short-range face detector plus its face mesh for 5 alignment points.

    The mesh indices for the 5 points (image-left first): eye centres as the mean of the eye
    corners 33/133 and 362/263, nose tip 1, mouth corners 61 and 291 (MediaPipe's canonical face
    mesh numbering).

    Raises:
        DetectorError: If mediapipe (with the legacy ``solutions`` API) is not installed.
    """

    name = "mediapipe"
    _EYES = ((33, 133), (362, 263))
    _NOSE, _MOUTH = 1, (61, 291)

    def __init__(self, min_confidence: float = 0.5) -> None:
        try:
            import mediapipe as mp  # type: ignore[import-not-found]
        except ImportError as error:
            raise DetectorError(MEDIAPIPE_HINT) from error
        solutions: Any = getattr(mp, "solutions", None)
        if solutions is None:
            raise DetectorError(f"mediapipe {mp.__version__} has no bundled 'solutions' models; " + MEDIAPIPE_HINT)
        self._detector = solutions.face_detection.FaceDetection(
            model_selection=0, min_detection_confidence=min_confidence
        )
        self._mesh = solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, min_detection_confidence=min_confidence
        )
        self.version = f"mediapipe-{mp.__version__} face_detection_short_range+face_mesh"

    def detect(self, image: np.ndarray) -> list[Face]:
        height, width = image.shape[:2]
        result = self._detector.process(image)
        faces = []
        for detection in result.detections or []:
            rel = detection.location_data.relative_bounding_box
            box = (rel.xmin * width, rel.ymin * height, rel.width * width, rel.height * height)
            faces.append(Face(box=box, score=float(detection.score[0])))
        faces.sort(key=lambda f: -f.area)
        if faces:
            mesh = self._mesh.process(image)
            if mesh.multi_face_landmarks:
                points = np.array([[p.x * width, p.y * height] for p in mesh.multi_face_landmarks[0].landmark])
                five = np.stack(
                    [points[list(pair)].mean(axis=0) for pair in self._EYES]
                    + [points[self._NOSE], points[self._MOUTH[0]], points[self._MOUTH[1]]]
                )
                faces[0] = Face(box=faces[0].box, landmarks=five.astype(np.float32), score=faces[0].score)
        return faces


DETECTORS = ("haar", "mediapipe")


def make_detector(name: str) -> Detector:
    """Build a detector by name (``haar`` or ``mediapipe``).

    Raises:
        DetectorError: Unknown name, or the detector's package is missing.
    """
    if name == "haar":
        return HaarDetector()
    if name == "mediapipe":
        return MediaPipeDetector()
    raise DetectorError(f"unknown detector {name!r}; known: {', '.join(DETECTORS)}")
