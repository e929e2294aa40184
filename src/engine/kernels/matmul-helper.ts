// Entry point of a helper thread of the threaded kernels (threaded.ts, threaded-jobs.ts): instantiates
// the kernels on the engine's shared memory and runs matmul chunks until stopped.

import { workerData } from "node:worker_threads";
import { helperLoop, type HelperData } from "./threaded-jobs.js";

helperLoop(workerData as HelperData);
