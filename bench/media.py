"""Photo uploads: 8 phones each upload 20 photos of ~300 KB to a real server while another phone syncs.

    .venv/bin/python bench/media.py [--db sqlite|postgresql] [--phones 8] [--photos 20] [--kb 300]

Three runs, each on a fresh server (so that each peak memory figure is its own):
1. sync alone (the baseline p95), then the same uploads with small photos (640x480, ~30 KB);
2. the ~300 KB photos: MB/s, p95 per upload, server peak RSS, and the sync p95 meanwhile vs the baseline;
3. voice notes of 8 MB (stored as sent, not decoded), 3 per phone at once: the peak RSS grows by far less
   than 8 phones x 8 MB, since bodies stream to disk, never to memory.
Prints figures; never run as a test.
"""

import argparse
import asyncio
import io
import os
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image
from server import cli, fresh_database, running_server

from tests.factories import visit_body

DATABASE = "undercover_bench_media"
PASSWORD = "bench password 123"


def make_photo(kb: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG (1600x1200: what the phone sends) of about `kb` KB: coarse noise compresses like a photo."""
    for div in range(3, 200):
        small = (size[0] // div, size[1] // div)
        img = Image.frombytes("RGB", small, os.urandom(small[0] * small[1] * 3)).resize(size)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80)
        if len(out.getvalue()) <= kb * 1024:
            return out.getvalue()
    return out.getvalue()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000 if values else 0.0


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def new_pain_points(c: httpx.AsyncClient, count: int) -> list[str]:
    body = visit_body(pain_points=count, quote=None)
    res = await c.put(f"/api/visits/{uuid.uuid4()}", json=body)
    assert res.status_code == 201, res.text[:300]
    return [p["id"] for p in body["pain_points"]]


async def uploader(base: str, token: str, files: list[bytes], content_type: str, latencies: list[float],
                   at_once: int = 1) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        points = await new_pain_points(c, 5)

        async def send(i: int, data: bytes) -> None:
            t0 = time.perf_counter()
            res = await c.put(f"/api/pain-points/{points[i % len(points)]}/media/{uuid.uuid4()}", content=data,
                              headers={"Content-Type": content_type})
            latencies.append(time.perf_counter() - t0)
            assert res.status_code == 201, res.text[:300]

        for start in range(0, len(files), at_once):
            await asyncio.gather(*(send(start + j, data) for j, data in enumerate(files[start:start + at_once])))


async def syncer(base: str, token: str, stop: asyncio.Event, latencies: list[float]) -> None:
    """A phone syncing small batches (5 visits of 5 pain points) back to back until told to stop."""
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        cursor = None
        while not stop.is_set():
            visits = [visit_body(id=str(uuid.uuid4()), pain_points=5, quote=None) for _ in range(5)]
            t0 = time.perf_counter()
            res = await c.post("/api/sync", json={"visits": visits, "cursor": cursor})
            latencies.append(time.perf_counter() - t0)
            assert res.status_code == 200, res.text[:300]
            cursor = res.json()["cursor"]


async def with_sync(base: str, sync_token: str, work) -> tuple[list[float], float]:
    """Run `work` while a phone syncs; returns the sync latencies and the work's wall time."""
    stop, sync_latencies = asyncio.Event(), []
    task = asyncio.create_task(syncer(base, sync_token, stop, sync_latencies))
    t0 = time.perf_counter()
    await work
    elapsed = time.perf_counter() - t0
    stop.set()
    await task
    return sync_latencies, elapsed


async def sync_alone(base: str, sync_token: str, seconds: float) -> list[float]:
    async def wait():
        await asyncio.sleep(seconds)
    latencies, _ = await with_sync(base, sync_token, wait())
    return latencies


def users(url: str, count: int) -> list[str]:
    emails = [f"phone{i}@bench.example" for i in range(count)]
    for email in emails:
        cli(url, "create-user", email, "--role", "executive", "--password-stdin", stdin=PASSWORD + "\n")
    return emails


def sign_in(base: str, emails: list[str]) -> list[str]:
    return [httpx.post(f"{base}/api/auth/token", data={"username": e, "password": PASSWORD}, timeout=60).json()
            ["access_token"] for e in emails]


async def one_run(args, files_per_phone: list[bytes], content_type: str, at_once: int = 1,
                  baseline_seconds: float = 0.0) -> dict:
    url = fresh_database(args.db, DATABASE)
    cli(url, "migrate")
    emails = users(url, args.phones + 1)
    media = Path(tempfile.mkdtemp(prefix="undercover-bench-media-"))
    with running_server(url, env={"UNDERCOVER_MEDIA_URL": media.as_uri()}) as server:
        tokens = sign_in(server.url, emails)
        pid = server.process.pid
        out = {"rss_start": rss_mb(pid)}
        if baseline_seconds:
            out["sync_alone"] = await sync_alone(server.url, tokens[-1], baseline_seconds)
        latencies: list[float] = []
        work = asyncio.gather(*(uploader(server.url, t, files_per_phone, content_type, latencies, at_once)
                                for t in tokens[:-1]))
        out["sync_with"], out["elapsed"] = await with_sync(server.url, tokens[-1], work)
        out["uploads"], out["peak"] = latencies, peak_rss_mb(pid)
        out["bytes"] = sum(len(f) for f in files_per_phone) * args.phones
    return out


async def run(args) -> None:
    photos = [make_photo(args.kb) for _ in range(args.photos)]
    small = [make_photo(30, (640, 480)) for _ in range(args.photos)]
    big_note = b"OggS" + os.urandom(8 * 1024 * 1024 - 4)
    print(f"database: {args.db}; phones: {args.phones}; photos per phone: {args.photos}; "
          f"photo size: {sum(map(len, photos)) / len(photos) / 1024:.0f} KB (small: "
          f"{sum(map(len, small)) / len(small) / 1024:.0f} KB); {os.cpu_count()} cores shared with the load generator")

    first = await one_run(args, small, "image/jpeg", baseline_seconds=args.baseline)
    main = await one_run(args, photos, "image/jpeg")
    notes = await one_run(args, [big_note] * 3, "audio/ogg", at_once=3)

    base_p95 = pct(first["sync_alone"], 95)
    small_kb = sum(map(len, small)) / len(small) / 1024
    runs = ((f"~{small_kb:.0f} KB photos", first), (f"~{args.kb} KB photos", main),
            ("8 MB voice notes, 3 at once", notes))
    for name, r in runs:
        mb = r["bytes"] / 1024 / 1024
        print(f"{name}: {len(r['uploads'])} uploads, {mb:.1f} MB in {r['elapsed']:.1f} s = "
              f"{mb / r['elapsed']:.2f} MB/s; "
              f"per upload p50 {pct(r['uploads'], 50):.0f} ms, p95 {pct(r['uploads'], 95):.0f} ms; server RSS "
              f"{r['rss_start']:.0f} MB at start, peak {r['peak']:.0f} MB; sync p95 meanwhile "
              f"{pct(r['sync_with'], 95):.0f} ms ({len(r['sync_with'])} batches)")
    print(f"sync alone: p95 {base_p95:.0f} ms ({len(first['sync_alone'])} batches of 5 visits x 5 pain points)")
    print(f"sync p95 during the ~{args.kb} KB uploads vs alone: ratio {pct(main['sync_with'], 95) / base_p95:.2f}")
    in_flight = args.phones * 3 * 8
    print(f"memory: the 8 MB notes ({in_flight} MB in flight at once) raised the peak by "
          f"{notes['peak'] - notes['rss_start']:.0f} MB; the ~{args.kb} KB photos by "
          f"{main['peak'] - main['rss_start']:.0f} MB, "
          f"the ~{small_kb:.0f} KB ones by {first['peak'] - first['rss_start']:.0f} MB (a 1600x1200 photo decodes to "
          "~6 MB; one photo at a time per 2 cores is decoded)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--photos", type=int, default=20, help="photos per phone")
    parser.add_argument("--kb", type=int, default=300, help="photo size")
    parser.add_argument("--baseline", type=float, default=15.0, help="seconds of sync alone")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
