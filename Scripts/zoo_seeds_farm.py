#!/usr/bin/env python3
"""Runs many zoo_seeds.py runs at once, one thread each, on a machine with many cores, within
a time budget: more seeds per hour for docs/MODELS.md's quality comparison than two cores give.

    python3 Scripts/zoo_seeds_farm.py --slots 15 --budget 540 --results rows.jsonl \\
        began:ours:4 began:torch:4:cuda bgan:ours:10 bgan:torch:10 ...

A job is MODEL:SIDE:SEED[:DEVICE] (DEVICE is the PyTorch side's, cpu or cuda). Jobs start in
the order given, as slots free up, and only while the estimated run fits the budget. Our
side's progress (its metrics.jsonl) is watched: when runs under way cannot finish in time
(a slower machine than estimated, cores that are hyper-threads), the last-started of them is
stopped, one a minute, so the others get the cores. Rows go to --results as runs finish.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

from zoo_seeds import EPOCHS, model_kinds

HERE = os.path.dirname(os.path.abspath(__file__))
# Seconds per run on one thread of this project's development machine (AMD EPYC, 2026-11):
# ours at the defaults (1 conv epoch or 5 MLP epochs) and PyTorch's, plus loading and scoring.
# On the lent 16-core Xeon (2026-11-27, 16 runs at once) they took: ours sgan 430 s, bgan 78-98 s,
# wgan_gp 80 s; PyTorch bgan 150-220 s, wgan_gp 160 s; PyTorch on the H100, began 30 s, sgan 35 s.
SECONDS = {("conv", "ours"): 380, ("mlp", "ours"): 90, ("conv", "torch"): 1000, ("mlp", "torch"): 130,
           ("conv", "cuda"): 60, ("mlp", "cuda"): 60}


class Job:
    def __init__(self, spec, a, kinds):
        parts = spec.split(":")
        if len(parts) not in (3, 4) or parts[1] not in ("ours", "torch"):
            sys.exit(f"zoo_seeds_farm.py: bad job {spec!r}; want MODEL:ours|torch:SEED[:cpu|cuda]")
        self.spec, self.model, self.side, self.seed = spec, parts[0], parts[1], int(parts[2])
        self.device = parts[3] if len(parts) == 4 else "cpu"
        if self.model not in kinds:
            sys.exit(f"zoo_seeds_farm.py: no model {self.model!r}; `gan list` has {', '.join(kinds)}")
        kind = kinds[self.model]
        self.iterations = EPOCHS[kind] * 938
        self.estimate = SECONDS[(kind, "cuda" if self.device != "cpu" else self.side)] * a.slowdown
        self.gpu = self.side == "torch" and self.device != "cpu"
        self.cmd = [sys.executable, os.path.join(HERE, "zoo_seeds.py"), self.model, str(self.seed), "--side", self.side,
                    "--runs", a.runs, "--results", a.results, "--threads", "1", "--torch-device", self.device]
        if a.host:
            self.cmd += ["--host", a.host]
        if a.commit:
            self.cmd += ["--commit", a.commit]
        self.proc = None
        self.started = None
        self.first = None  # (seconds, fraction done) once our run is past its start-up

    def progress(self, runs):
        """Fraction of our side's batches done, from the last line of its metrics.jsonl."""
        path = os.path.join(runs, f"{self.model}_ours_s{self.seed}", "metrics.jsonl")
        try:
            with open(path, "rb") as f:
                f.seek(max(0, os.path.getsize(path) - 4096))
                lines = [l for l in f.read().splitlines() if l.endswith(b"}")]
            return json.loads(lines[-1])["batches_done"] / self.iterations if lines else 0.0
        except (OSError, ValueError, KeyError, IndexError):
            return 0.0


def stop(job):
    """Kills the run with the training process it started (its own process group)."""
    try:
        os.killpg(job.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    job.proc.wait()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("jobs", nargs="+")
    p.add_argument("--slots", type=int, default=os.cpu_count())
    p.add_argument("--gpu-slots", type=int, default=4)
    p.add_argument("--budget", type=float, default=540, help="seconds; nothing runs past it")
    p.add_argument("--slowdown", type=float, default=1.3, help="factor on the estimates before starting a run")
    p.add_argument("--results", required=True)
    p.add_argument("--runs", default="/tmp/swiftgan-zoo-seeds")
    p.add_argument("--host")
    p.add_argument("--commit")
    a = p.parse_args()
    start = time.time()
    kinds = model_kinds()
    pending = [Job(s, a, kinds) for s in a.jobs]
    running = []
    last_stop = 0.0

    def say(msg):
        print(f"[{time.time() - start:6.1f}s] {msg}", flush=True)

    while pending or running:
        now = time.time() - start
        for job in list(running):
            rc = job.proc.poll()
            if rc is not None:
                running.remove(job)
                say(f"{job.spec} {'done' if rc == 0 else f'FAILED rc={rc}: ' + job.proc.stderr.read()[-400:]} "
                    f"in {time.time() - job.started:.0f}s")
        # Our runs that cannot finish by the budget at their pace (measured after start-up, from
        # two readings 30 s or more apart): stop the newest, then wait a minute for the others'
        # pace to show whether that freed enough (it does only on an oversubscribed machine).
        late = []
        for job in (j for j in running if j.side == "ours"):
            t, done = time.time() - start, job.progress(a.runs)
            if job.first is None:
                if done > 0.01:
                    job.first = (t, done)
                continue
            t0, done0 = job.first
            if t - t0 >= 30 and done > done0:
                finish = t + (1 - done) * (t - t0) / (done - done0) + 15  # + scoring
                if finish > a.budget:
                    late.append(job)
        if late and time.time() - last_stop > 60:
            victim = max(late, key=lambda j: j.started)
            say(f"{victim.spec} cannot finish by {a.budget:.0f}s at its pace; stopped to free its core")
            stop(victim)
            running.remove(victim)
            last_stop = time.time()
        if now >= a.budget:
            for job in running:
                say(f"{job.spec} stopped at the budget")
                stop(job)
            break
        for job in list(pending):
            if len(running) >= a.slots:
                break
            if job.gpu and sum(j.gpu for j in running) >= a.gpu_slots:
                continue
            pending.remove(job)
            if now + job.estimate > a.budget:
                say(f"{job.spec} skipped: estimated {job.estimate:.0f}s, {a.budget - now:.0f}s left")
                continue
            job.proc = subprocess.Popen(job.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
            job.started = time.time()
            running.append(job)
            say(f"{job.spec} started")
        time.sleep(2)
    say(f"finished; {sum(1 for _ in open(a.results)) if os.path.exists(a.results) else 0} rows in {a.results}")


if __name__ == "__main__":
    main()
