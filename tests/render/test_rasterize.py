"""Tests of facessl.render.rasterize: coverage, depth, occlusion, culling, clipping planes and chunking."""

import numpy as np
import torch

from facessl.render import PerspectiveCamera, focal_from_fov, rasterize, rasterize_face_ids


def _screen_quad(x0: float, x1: float, y0: float, y1: float, z: float) -> torch.Tensor:
    """(4, 3) screen-space corners TL, TR, BL, BR of an axis-aligned rectangle at constant depth."""
    return torch.tensor([[x0, y0, z], [x1, y0, z], [x0, y1, z], [x1, y1, z]], dtype=torch.float64)


# Two triangles per rectangle, counter-clockwise in the image (front-facing).
_QUAD_FACES = torch.tensor([[0, 2, 1], [1, 2, 3]])


def test_plane_at_known_depth_covers_exactly_the_expected_pixels() -> None:
    size, fov, depth = 16, 20.0, 2.0
    f, c = focal_from_fov(fov, size), (size - 1) / 2
    # World rectangle whose image spans x ∈ [3.5, 10.5], y ∈ [5.5, 12.5]: half-pixel edges, so columns 4..10 and
    # rows 6..12 are covered and no pixel centre is ambiguous.
    corners = [(3.5, 5.5), (10.5, 5.5), (3.5, 12.5), (10.5, 12.5)]
    verts = torch.tensor([[[(x - c) * depth / f, (y - c) * depth / f, depth] for x, y in corners]])
    cam = PerspectiveCamera.from_fov(fov, (size, size))
    frags = rasterize(cam.world_to_screen(verts), _QUAD_FACES, (size, size))

    expected = torch.zeros(size, size, dtype=torch.bool)
    expected[6:13, 4:11] = True
    assert torch.equal(frags.face_idx[0] >= 0, expected)
    assert torch.allclose(frags.depth[0][expected], torch.full((49,), depth), atol=1e-5)
    assert torch.all(frags.depth[0][~expected] == 0)


def test_nearer_triangles_occlude_farther_ones_in_both_draw_orders() -> None:
    near = _screen_quad(2.5, 9.5, 2.5, 9.5, 2.0)
    far = _screen_quad(5.5, 13.5, 5.5, 13.5, 3.0)
    faces = torch.cat([_QUAD_FACES, _QUAD_FACES + 4])
    for first, second, near_faces in ((near, far, (0, 1)), (far, near, (2, 3))):
        frags = rasterize(torch.cat([first, second])[None], faces, (16, 16))
        overlap = frags.face_idx[0, 6:10, 6:10]
        assert torch.isin(overlap, torch.tensor(near_faces)).all()
        assert torch.allclose(frags.depth[0, 6:10, 6:10], torch.full((4, 4), 2.0, dtype=torch.float64))
        assert torch.allclose(frags.depth[0, 11:14, 11:14], torch.full((3, 3), 3.0, dtype=torch.float64))


def _cross2(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def _reference_face_ids(screen: np.ndarray, faces: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel, per-triangle loop: nearest covering face, and whether the pixel is unambiguous."""
    ids = -np.ones((size, size), dtype=np.int64)
    clear = np.ones((size, size), dtype=bool)
    for i in range(size):
        for j in range(size):
            hits = []
            for k, (a, b, c) in enumerate(faces):
                p = np.array([j, i], dtype=np.float64)
                v = screen[[a, b, c]]
                e = [_cross2(v[(m + 1) % 3, :2] - p, v[(m + 2) % 3, :2] - p) for m in range(3)]
                area = sum(e)
                if abs(area) < 1e-9:
                    continue
                s = np.array(e) / area
                edge_lengths = [np.linalg.norm(v[(m + 1) % 3, :2] - v[(m + 2) % 3, :2]) for m in range(3)]
                dist = np.array(e) * np.sign(area) / np.array(edge_lengths)  # signed pixel distance to edges
                if np.abs(dist).min() < 1e-2:
                    clear[i, j] = False
                if (s >= 0).all():
                    hits.append((1.0 / np.sum(s / v[:, 2]), k))
            if hits:
                hits.sort()
                ids[i, j] = hits[0][1]
                if len(hits) > 1 and hits[1][0] - hits[0][0] < 1e-4:
                    clear[i, j] = False
    return ids, clear


def test_face_ids_match_a_per_pixel_reference_on_random_triangles() -> None:
    gen = torch.Generator().manual_seed(0)
    size, num_faces = 16, 12
    xy = torch.rand(1, 3 * num_faces, 2, generator=gen, dtype=torch.float64) * 22 - 3
    z = torch.rand(1, 3 * num_faces, 1, generator=gen, dtype=torch.float64) * 3 + 1
    screen = torch.cat([xy, z], -1)
    faces = torch.arange(3 * num_faces).view(num_faces, 3)
    got = rasterize_face_ids(screen, faces, (size, size))[0].numpy()
    ref, clear = _reference_face_ids(screen[0].numpy(), faces.numpy(), size)
    assert clear.mean() > 0.8  # the comparison must cover most of the image to mean anything
    assert (ref[clear] >= 0).sum() > 50
    np.testing.assert_array_equal(got[clear], ref[clear])


def test_backface_culling_drops_clockwise_triangles_only() -> None:
    quad = _screen_quad(1.5, 6.5, 1.5, 6.5, 2.0)[None]
    front = rasterize_face_ids(quad, _QUAD_FACES, (8, 8), cull_backfaces=True)
    back = rasterize_face_ids(quad, _QUAD_FACES.flip(1), (8, 8), cull_backfaces=True)
    both = rasterize_face_ids(quad, _QUAD_FACES.flip(1), (8, 8), cull_backfaces=False)
    assert (front >= 0).sum() == 25 and (back >= 0).sum() == 0 and (both >= 0).sum() == 25


def test_near_and_far_planes_drop_triangles_and_fragments() -> None:
    quad = _screen_quad(1.5, 6.5, 1.5, 6.5, 2.0)[None]
    crossing = quad.clone()
    crossing[0, 0, 2] = 0.005  # vertex 0 (used by face 0 only) is closer than the near plane
    ids = rasterize_face_ids(crossing, _QUAD_FACES, (8, 8), near=0.01)
    assert not (ids == 0).any() and (ids == 1).any()
    assert (rasterize_face_ids(quad, _QUAD_FACES, (8, 8), far=1.5) < 0).all()


def test_per_batch_faces_and_chunking_give_the_same_result() -> None:
    quad = _screen_quad(1.5, 6.5, 1.5, 6.5, 2.0).expand(2, 4, 3)
    faces = torch.stack([_QUAD_FACES, _QUAD_FACES[:1].expand(2, 3)])  # sample 1: first triangle twice
    ids = rasterize_face_ids(quad, faces, (8, 8))
    assert (ids[0] >= 0).sum() == 25 and (ids[1] >= 0).sum() == 15  # 5 + 4 + ... + 1 pixels on/under diagonal
    assert torch.equal(ids, rasterize_face_ids(quad, faces, (8, 8), max_fragments=7))


def test_nothing_in_view_gives_an_empty_image() -> None:
    offscreen = _screen_quad(20.5, 30.5, 1.5, 6.5, 2.0)[None]
    frags = rasterize(offscreen, _QUAD_FACES, (8, 8))
    assert (frags.face_idx == -1).all() and (frags.bary == 0).all() and (frags.depth == 0).all()


def test_non_square_images_index_rows_and_columns_correctly() -> None:
    quad = _screen_quad(2.5, 17.5, 1.5, 4.5, 2.0).expand(2, 4, 3)  # columns 3..17, rows 2..4 of a 6×20 image
    frags = rasterize(quad, _QUAD_FACES, (6, 20))
    expected = torch.zeros(6, 20, dtype=torch.bool)
    expected[2:5, 3:18] = True
    assert torch.equal(frags.face_idx >= 0, expected.expand(2, 6, 20))
    assert torch.allclose(frags.depth[:, 2:5, 3:18], torch.full((2, 3, 15), 2.0, dtype=torch.float64))


def test_expand_counts_equals_repeat_interleave() -> None:
    from facessl.render.rasterize import _expand_counts

    gen = torch.Generator().manual_seed(0)
    cases = [torch.tensor([0, 3, 0, 0, 2, 1, 0]), torch.tensor([5]), torch.tensor([0, 0, 4, 0])]
    cases += [torch.randint(0, 4, (200,), generator=gen) for _ in range(5)]
    for counts in cases:
        total = int(counts.sum())
        owners = _expand_counts(counts.cumsum(0) - counts, total)
        assert owners.dtype == torch.int32
        assert torch.equal(owners.long(), torch.repeat_interleave(torch.arange(len(counts)), counts))
