import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built from the repository root with `npx vite build console`; served by src/console/route.ts.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The AWS SDK clients are most of the bundle; one chunk is fine for a console on loopback.
    chunkSizeWarningLimit: 1500,
  },
});
