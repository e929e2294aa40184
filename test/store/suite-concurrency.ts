// The concurrency part of the store suite: claimers on two connections, and (when
// the suite knows the database's URL) in separate processes, never receive the
// same run; opening the database again (migrations already applied) is harmless.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { claimAll, drain, newRun, uniqueFamily, type SuiteContext } from "./fixtures.js";

const storeModule = new URL("../../src/store/index.js", import.meta.url).href;

/**
 * A child process that opens `url`, says "ready", waits for "go" on stdin, then
 * claims everything it can and prints the ids as JSON.
 */
function spawnClaimer(url: string, worker: string): { ready: Promise<void>; go(): void; done: Promise<string[]> } {
  const script = `
    import { openStore } from ${JSON.stringify(storeModule)};
    const store = await openStore(process.argv[1]);
    process.stdout.write("ready\\n");
    await new Promise((r) => process.stdin.once("data", r));
    const ids = [];
    for (;;) {
      const runs = await store.claim(${JSON.stringify(worker)}, 1 + Math.floor(Math.random() * 3), 60000);
      if (runs.length === 0) break;
      ids.push(...runs.map((r) => r.id));
    }
    await store.close();
    process.stdout.write(JSON.stringify(ids));
    process.exit(0);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, url], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (signalReady = r));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.startsWith("ready\n")) signalReady();
  });
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<string[]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      signalReady();
      if (code !== 0 || !out.startsWith("ready\n")) reject(new Error(`claimer ${worker} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.slice("ready\n".length)) as string[]);
    });
  });
  return { ready, go: () => child.stdin.end("go\n"), done };
}

function assertDisjointCover(claimed: string[][], enqueued: string[]): void {
  const all = claimed.flat();
  assert.equal(new Set(all).size, all.length, "a run was claimed twice");
  assert.deepEqual([...all].sort(), [...enqueued].sort(), "every run was claimed");
}

export function concurrencyTests(ctx: SuiteContext): void {
  test("two connections claiming in parallel never get the same run", async () => {
    const s1 = ctx.store();
    const s2 = await ctx.open();
    try {
      await drain(s1);
      const family = uniqueFamily("parallel");
      const ids = await s1.enqueue(Array.from({ length: 300 }, (_, i) => newRun(family, { priority: i % 3 })));
      const claimed = await Promise.all([
        claimAll(s1, "a:1", 7), claimAll(s2, "b:1", 5), claimAll(s1, "a:2", 1), claimAll(s2, "b:2", 11),
      ]);
      assertDisjointCover(claimed.map((rs) => rs.map((r) => r.id)), ids);
      for (const runs of claimed) {
        for (const r of runs) assert.equal((await s2.getRun(r.id))!.worker, r.worker);
      }
      assert.ok(claimed.filter((rs) => rs.length > 0).length >= 2, "the claimers took turns");
    } finally {
      await s2.close();
    }
  });

  test("claimers in separate processes never get the same run", { skip: ctx.url === undefined && "no URL" }, async () => {
    const s = ctx.store();
    await drain(s);
    const family = uniqueFamily("processes");
    const ids = await s.enqueue(Array.from({ length: 400 }, () => newRun(family)));
    const claimers = [1, 2, 3].map((i) => spawnClaimer(ctx.url!, `proc:${i}`));
    await Promise.all(claimers.map((c) => c.ready)); // every child has opened the store
    for (const c of claimers) c.go();
    const claimed = await Promise.all(claimers.map((c) => c.done));
    assertDisjointCover(claimed, ids);
    const counts = await s.countRuns({ family });
    assert.equal(counts.running, 400);
  });

  test("opening again applies no migration twice and sees the same data", async () => {
    const [id] = await ctx.store().enqueue([newRun(uniqueFamily("reopen"))]);
    const again = await ctx.open();
    const third = await ctx.open();
    try {
      assert.equal(again.kind, ctx.store().kind);
      assert.equal((await again.getRun(id!))!.id, id);
      assert.equal((await third.getRun(id!))!.status, "queued");
    } finally {
      await again.close();
      await third.close();
    }
  });
}
