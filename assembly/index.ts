export { matmul } from "./matmul";
export function staticEnd(): usize { return __heap_base; }
