// Placeholder until the SIMD kernel lands: keeps `npm run build` green.
