export { compileFilterPattern, type CompiledFilter } from "./compile.js";
