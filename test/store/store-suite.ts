// The store suite: one set of tests that every Store implementation must pass,
// run by sqlite.test.ts and postgres.test.ts. The tests share one database (opened
// once per suite; `open` must return a store on that same database each time), so
// each isolates its runs by family or drains the queue first.

import { after, before, describe } from "node:test";
import type { Store } from "../../src/store/index.js";
import type { SuiteContext } from "./fixtures.js";
import { analysisTests } from "./suite-analysis.js";
import { concurrencyTests } from "./suite-concurrency.js";
import { dataTests } from "./suite-data.js";
import { manageTests } from "./suite-manage.js";
import { queueTests } from "./suite-queue.js";

export interface SuiteOptions {
  /** the URL `open` uses: enables the tests that claim from other processes */
  url?: string;
}

export function storeSuite(name: string, open: () => Promise<Store>, options: SuiteOptions = {}): void {
  describe(name, () => {
    let store: Store | null = null;
    const ctx: SuiteContext = {
      store: () => {
        if (!store) throw new Error("the suite's store is not open");
        return store;
      },
      open,
      url: options.url,
    };
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store?.close();
    });
    queueTests(ctx);
    dataTests(ctx);
    concurrencyTests(ctx);
    analysisTests(ctx);
    manageTests(ctx);
  });
}
