;; Affine warp of an 8-bit RGB image, bilinear, with k×k supersampling: the WebAssembly twin of
;; `warpAffineJs` in src/face/align.ts (same sample positions, same black-outside rule, same
;; round-half-up), with each sample's three channels in one f32x4 (the fourth lane is zero).
;;
;; The host (src/face/warp/warp-kernel.ts) copies the source rectangle the output can reach to
;; `src` and reads `width × height × 3` bytes back from `out`. Both need 4 bytes of slack after
;; them: a pixel pair is read as 8 bytes and a pixel written as 4 (its RGB and the next R; writes go in
;; order, so the next pixel overwrites the extra byte).
;;
;; (a b c / d e f) maps output pixel centres to source coordinates (the inverse of the forward
;; map); `k` samples per axis in each output pixel, at offsets (s + 0.5) / k − 0.5.
(module
  (memory (export "memory") 1)

  (func (export "warp")
    (param $src i32) (param $sw i32) (param $sh i32)
    (param $out i32) (param $width i32) (param $height i32)
    (param $a f64) (param $b f64) (param $c f64) (param $d f64) (param $e f64) (param $f f64)
    (param $k i32)
    (local $x i32) (local $y i32) (local $sx i32) (local $sy i32)
    (local $kf f64) (local $first f64) (local $ak f64) (local $bk f64) (local $dk f64) (local $ek f64)
    (local $u0 f64) (local $v0 f64) (local $u1 f64) (local $v1 f64) (local $u f64) (local $v f64)
    (local $fx f64) (local $fy f64) (local $x0 i32) (local $y0 i32) (local $row i32) (local $p i32)
    (local $wx v128) (local $wy v128) (local $top v128) (local $bottom v128) (local $q v128) (local $r v128)
    (local $acc v128) (local $scale v128) (local $o i32)
    (local $uLast f64) (local $vLast f64) (local $fast i32) (local $limX f64) (local $limY f64)
    (local.set $kf (f64.convert_i32_s (local.get $k)))
    (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (f64.mul (local.get $kf) (local.get $kf))))))
    ;; Sample s of a pixel at x sits at x + (s + 0.5)/k − 0.5 = x + first + s/k.
    (local.set $first (f64.sub (f64.div (f64.const 0.5) (local.get $kf)) (f64.const 0.5)))
    (local.set $ak (f64.div (local.get $a) (local.get $kf)))
    (local.set $bk (f64.div (local.get $b) (local.get $kf)))
    (local.set $dk (f64.div (local.get $d) (local.get $kf)))
    (local.set $ek (f64.div (local.get $e) (local.get $kf)))
    (local.set $row (i32.mul (local.get $sw) (i32.const 3)))
    (local.set $o (local.get $out))
    ;; A sample at (u, v) has all four neighbours inside when 0 <= u < sw − 1 and 0 <= v < sh − 1.
    ;; (less a hair, so that float rounding in the samples' steps cannot cross it)
    (local.set $limX (f64.sub (f64.convert_i32_s (i32.sub (local.get $sw) (i32.const 1))) (f64.const 1e-6)))
    (local.set $limY (f64.sub (f64.convert_i32_s (i32.sub (local.get $sh) (i32.const 1))) (f64.const 1e-6)))
    (local.set $y (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_s (local.get $y) (local.get $height)))
      (local.set $x (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_s (local.get $x) (local.get $width)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        ;; the pixel's first sample in source coordinates
        (local.set $u0 (f64.add (f64.add
          (f64.mul (local.get $a) (f64.add (f64.convert_i32_s (local.get $x)) (local.get $first)))
          (f64.mul (local.get $b) (f64.add (f64.convert_i32_s (local.get $y)) (local.get $first)))) (local.get $c)))
        (local.set $v0 (f64.add (f64.add
          (f64.mul (local.get $d) (f64.add (f64.convert_i32_s (local.get $x)) (local.get $first)))
          (f64.mul (local.get $e) (f64.add (f64.convert_i32_s (local.get $y)) (local.get $first)))) (local.get $f)))
        ;; The pixel's samples span a parallelogram; when its corners are inside, so is every sample.
        (local.set $uLast (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $ak)))
        (local.set $vLast (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $bk)))
        (local.set $fast (call $cornersInside (local.get $u0) (local.get $uLast) (local.get $vLast) (local.get $limX)))
        (local.set $uLast (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $dk)))
        (local.set $vLast (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $ek)))
        (local.set $fast (i32.and (local.get $fast) (call $cornersInside (local.get $v0) (local.get $uLast) (local.get $vLast) (local.get $limY))))
        (local.set $sy (i32.const 0))
        (block $syDone (loop $sys
          (br_if $syDone (i32.ge_s (local.get $sy) (local.get $k)))
          (local.set $u1 (f64.add (local.get $u0) (f64.mul (f64.convert_i32_s (local.get $sy)) (local.get $bk))))
          (local.set $v1 (f64.add (local.get $v0) (f64.mul (f64.convert_i32_s (local.get $sy)) (local.get $ek))))
          (local.set $sx (i32.const 0))
          (block $sxDone (loop $sxs
            (br_if $sxDone (i32.ge_s (local.get $sx) (local.get $k)))
            (local.set $u (f64.add (local.get $u1) (f64.mul (f64.convert_i32_s (local.get $sx)) (local.get $ak))))
            (local.set $v (f64.add (local.get $v1) (f64.mul (f64.convert_i32_s (local.get $sx)) (local.get $dk))))
            (local.set $fx (f64.floor (local.get $u)))
            (local.set $fy (f64.floor (local.get $v)))
            ;; Saturating: a coordinate far outside (or NaN) becomes an index outside the source, so black.
            (local.set $x0 (i32.trunc_sat_f64_s (local.get $fx)))
            (local.set $y0 (i32.trunc_sat_f64_s (local.get $fy)))
            (local.set $wx (f32x4.splat (f32.demote_f64 (f64.sub (local.get $u) (local.get $fx)))))
            (local.set $wy (f32x4.splat (f32.demote_f64 (f64.sub (local.get $v) (local.get $fy)))))
            (if (local.get $fast)
              (then
                ;; All four neighbours inside: 8 bytes from each row hold both pixels; swizzle
                ;; spreads a pixel's R, G, B into three i32 lanes (index 16+ gives 0).
                (local.set $p (i32.add (local.get $src) (i32.add (i32.mul (local.get $y0) (local.get $row)) (i32.mul (local.get $x0) (i32.const 3)))))
                (local.set $q (v128.load64_zero (local.get $p)))
                (local.set $top (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $q) (v128.const i8x16 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16))))
                (local.set $r (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $q) (v128.const i8x16 3 16 16 16 4 16 16 16 5 16 16 16 16 16 16 16))))
                (local.set $top (f32x4.add (local.get $top) (f32x4.mul (local.get $wx) (f32x4.sub (local.get $r) (local.get $top)))))
                (local.set $q (v128.load64_zero (i32.add (local.get $p) (local.get $row))))
                (local.set $bottom (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $q) (v128.const i8x16 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16))))
                (local.set $r (f32x4.convert_i32x4_s (i8x16.swizzle (local.get $q) (v128.const i8x16 3 16 16 16 4 16 16 16 5 16 16 16 16 16 16 16))))
                (local.set $bottom (f32x4.add (local.get $bottom) (f32x4.mul (local.get $wx) (f32x4.sub (local.get $r) (local.get $bottom)))))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.add (local.get $top) (f32x4.mul (local.get $wy) (f32x4.sub (local.get $bottom) (local.get $top)))))))
              (else
                ;; At or past the border: each neighbour inside the source by itself.
                (local.set $acc (f32x4.add (local.get $acc) (call $border
                  (local.get $src) (local.get $sw) (local.get $sh) (local.get $x0) (local.get $y0)
                  (f64.sub (local.get $u) (local.get $fx)) (f64.sub (local.get $v) (local.get $fy)))))))
            (local.set $sx (i32.add (local.get $sx) (i32.const 1)))
            (br $sxs)))
          (local.set $sy (i32.add (local.get $sy) (i32.const 1)))
          (br $sys)))
        ;; round half up: floor(acc / k² + 0.5), as Math.round; then i32 → u8 (values are 0-255; the signed conversions are single instructions on x64, the unsigned ones are not).
        (local.set $acc (i32x4.trunc_sat_f32x4_s (f32x4.floor (f32x4.add (f32x4.mul (local.get $acc) (local.get $scale)) (v128.const f32x4 0.5 0.5 0.5 0.5)))))
        (v128.store32_lane 0 (local.get $o)
          (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $acc) (local.get $acc)) (v128.const i32x4 0 0 0 0)))
        (local.set $o (i32.add (local.get $o) (i32.const 3)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $cols)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
  )

;; `warp` for a map without rotation or shear (b = d = 0: the detector's view of a photo), the
  ;; same arithmetic in the same order, so the same bytes: a sample's source column depends on x
  ;; alone and its row on y alone, so both are worked out once into tables at `scratch`, and every
  ;; source pixel is widened to f32x4 once (16 bytes a pixel, also at `scratch`) instead of once
  ;; for each of the up to four samples that read it. Scratch needs 16·(sw·sh + k·(width + height))
  ;; + 4·(width + height) bytes.
  (func (export "warpAxis")
    (param $src i32) (param $sw i32) (param $sh i32)
    (param $out i32) (param $width i32) (param $height i32)
    (param $a f64) (param $c f64) (param $e f64) (param $f f64)
    (param $k i32) (param $scratch i32)
    (local $kf f64) (local $first f64) (local $ak f64) (local $ek f64) (local $scale v128)
    (local $fsrc i32) (local $cols i32) (local $rows i32) (local $fastCols i32) (local $fastRows i32)
    (local $i i32) (local $n i32) (local $x i32) (local $y i32) (local $sx i32) (local $sy i32)
    (local $u0 f64) (local $u f64) (local $fu f64) (local $p i32) (local $frow i32)
    (local $row i32) (local $col i32) (local $fast i32) (local $o i32)
    (local $wx v128) (local $wy v128) (local $top v128) (local $bottom v128) (local $r v128) (local $acc v128)
    (local $limX f64) (local $limY f64) (local $y0 i32)
    (local.set $kf (f64.convert_i32_s (local.get $k)))
    (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (f64.mul (local.get $kf) (local.get $kf))))))
    (local.set $first (f64.sub (f64.div (f64.const 0.5) (local.get $kf)) (f64.const 0.5)))
    (local.set $ak (f64.div (local.get $a) (local.get $kf)))
    (local.set $ek (f64.div (local.get $e) (local.get $kf)))
    (local.set $limX (f64.sub (f64.convert_i32_s (i32.sub (local.get $sw) (i32.const 1))) (f64.const 1e-6)))
    (local.set $limY (f64.sub (f64.convert_i32_s (i32.sub (local.get $sh) (i32.const 1))) (f64.const 1e-6)))
    ;; Layout: the widened source, then per sample column and per sample row {i32 index, f32 weight, f64 fraction}, then per pixel column and row a flag.
    (local.set $fsrc (local.get $scratch))
    (local.set $n (i32.mul (local.get $sw) (local.get $sh)))
    (local.set $cols (i32.add (local.get $fsrc) (i32.shl (local.get $n) (i32.const 4))))
    (local.set $rows (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $width) (local.get $k)) (i32.const 4))))
    (local.set $fastCols (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $height) (local.get $k)) (i32.const 4))))
    (local.set $fastRows (i32.add (local.get $fastCols) (i32.shl (local.get $width) (i32.const 2))))
    ;; Every source pixel as f32x4 (R, G, B, 0): what the fast path of `warp` computes from each of its loads.
    (local.set $i (i32.const 0))
    (block $wideDone (loop $wide
      (br_if $wideDone (i32.ge_u (local.get $i) (local.get $n)))
      (v128.store (i32.add (local.get $fsrc) (i32.shl (local.get $i) (i32.const 4)))
        (f32x4.convert_i32x4_s (i8x16.swizzle (v128.load32_zero (i32.add (local.get $src) (i32.mul (local.get $i) (i32.const 3))))
          (v128.const i8x16 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $wide)))
    ;; Columns: u = a·(x + first) + c + sx·a/k, as `warp` computes it when b = 0 (the b terms add ±0).
    (local.set $x (i32.const 0))
    (block $colsDone (loop $colsLoop
      (br_if $colsDone (i32.ge_s (local.get $x) (local.get $width)))
      (local.set $u0 (f64.add (f64.mul (local.get $a) (f64.add (f64.convert_i32_s (local.get $x)) (local.get $first))) (local.get $c)))
      (i32.store (i32.add (local.get $fastCols) (i32.shl (local.get $x) (i32.const 2)))
        (call $cornersInside (local.get $u0) (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $ak)) (f64.const 0) (local.get $limX)))
      (local.set $sx (i32.const 0))
      (block $sxDone (loop $sxs
        (br_if $sxDone (i32.ge_s (local.get $sx) (local.get $k)))
        (local.set $u (f64.add (local.get $u0) (f64.mul (f64.convert_i32_s (local.get $sx)) (local.get $ak))))
        (local.set $fu (f64.floor (local.get $u)))
        (local.set $p (i32.add (local.get $cols) (i32.shl (i32.add (i32.mul (local.get $x) (local.get $k)) (local.get $sx)) (i32.const 4))))
        (i32.store (local.get $p) (i32.trunc_sat_f64_s (local.get $fu)))
        (f32.store offset=4 (local.get $p) (f32.demote_f64 (f64.sub (local.get $u) (local.get $fu))))
        (f64.store offset=8 (local.get $p) (f64.sub (local.get $u) (local.get $fu)))
        (local.set $sx (i32.add (local.get $sx) (i32.const 1)))
        (br $sxs)))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $colsLoop)))
    ;; Rows: v = e·(y + first) + f + sy·e/k (the d terms add ±0).
    (local.set $y (i32.const 0))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_s (local.get $y) (local.get $height)))
      (local.set $u0 (f64.add (f64.mul (local.get $e) (f64.add (f64.convert_i32_s (local.get $y)) (local.get $first))) (local.get $f)))
      (i32.store (i32.add (local.get $fastRows) (i32.shl (local.get $y) (i32.const 2)))
        (call $cornersInside (local.get $u0) (f64.const 0) (f64.mul (f64.convert_i32_s (i32.sub (local.get $k) (i32.const 1))) (local.get $ek)) (local.get $limY)))
      (local.set $sy (i32.const 0))
      (block $syDone (loop $sys
        (br_if $syDone (i32.ge_s (local.get $sy) (local.get $k)))
        (local.set $u (f64.add (local.get $u0) (f64.mul (f64.convert_i32_s (local.get $sy)) (local.get $ek))))
        (local.set $fu (f64.floor (local.get $u)))
        (local.set $p (i32.add (local.get $rows) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $k)) (local.get $sy)) (i32.const 4))))
        (i32.store (local.get $p) (i32.trunc_sat_f64_s (local.get $fu)))
        (f32.store offset=4 (local.get $p) (f32.demote_f64 (f64.sub (local.get $u) (local.get $fu))))
        (f64.store offset=8 (local.get $p) (f64.sub (local.get $u) (local.get $fu)))
        (local.set $sy (i32.add (local.get $sy) (i32.const 1)))
        (br $sys)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rowsLoop)))
    (local.set $frow (i32.shl (local.get $sw) (i32.const 4)))
    (local.set $o (local.get $out))
    (local.set $y (i32.const 0))
    (block $outRowsDone (loop $outRows
      (br_if $outRowsDone (i32.ge_s (local.get $y) (local.get $height)))
      (local.set $x (i32.const 0))
      (block $outColsDone (loop $outCols
        (br_if $outColsDone (i32.ge_s (local.get $x) (local.get $width)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $fast (i32.and
          (i32.load (i32.add (local.get $fastCols) (i32.shl (local.get $x) (i32.const 2))))
          (i32.load (i32.add (local.get $fastRows) (i32.shl (local.get $y) (i32.const 2))))))
        (local.set $sy (i32.const 0))
        (if (local.get $fast)
          (then
            ;; Every sample's four neighbours inside: read them from the widened copy.
            (block $syDone2 (loop $sys2
              (br_if $syDone2 (i32.ge_s (local.get $sy) (local.get $k)))
              (local.set $row (i32.add (local.get $rows) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $k)) (local.get $sy)) (i32.const 4))))
              (local.set $y0 (i32.add (local.get $fsrc) (i32.shl (i32.mul (i32.load (local.get $row)) (local.get $sw)) (i32.const 4))))
              (local.set $wy (f32x4.splat (f32.load offset=4 (local.get $row))))
              (local.set $col (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $x) (local.get $k)) (i32.const 4))))
              (local.set $sx (i32.const 0))
              (block $sxDone2 (loop $sxs2
                (br_if $sxDone2 (i32.ge_s (local.get $sx) (local.get $k)))
                (local.set $wx (f32x4.splat (f32.load offset=4 (local.get $col))))
                (local.set $p (i32.add (local.get $y0) (i32.shl (i32.load (local.get $col)) (i32.const 4))))
                (local.set $top (v128.load (local.get $p)))
                (local.set $r (v128.load offset=16 (local.get $p)))
                (local.set $top (f32x4.add (local.get $top) (f32x4.mul (local.get $wx) (f32x4.sub (local.get $r) (local.get $top)))))
                (local.set $p (i32.add (local.get $p) (local.get $frow)))
                (local.set $bottom (v128.load (local.get $p)))
                (local.set $r (v128.load offset=16 (local.get $p)))
                (local.set $bottom (f32x4.add (local.get $bottom) (f32x4.mul (local.get $wx) (f32x4.sub (local.get $r) (local.get $bottom)))))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.add (local.get $top) (f32x4.mul (local.get $wy) (f32x4.sub (local.get $bottom) (local.get $top))))))
                (local.set $col (i32.add (local.get $col) (i32.const 16)))
                (local.set $sx (i32.add (local.get $sx) (i32.const 1)))
                (br $sxs2)))
              (local.set $sy (i32.add (local.get $sy) (i32.const 1)))
              (br $sys2))))
          (else
            ;; At or past the border: each neighbour inside the source by itself, as `warp` does.
            (block $syDone3 (loop $sys3
              (br_if $syDone3 (i32.ge_s (local.get $sy) (local.get $k)))
              (local.set $row (i32.add (local.get $rows) (i32.shl (i32.add (i32.mul (local.get $y) (local.get $k)) (local.get $sy)) (i32.const 4))))
              (local.set $col (i32.add (local.get $cols) (i32.shl (i32.mul (local.get $x) (local.get $k)) (i32.const 4))))
              (local.set $sx (i32.const 0))
              (block $sxDone3 (loop $sxs3
                (br_if $sxDone3 (i32.ge_s (local.get $sx) (local.get $k)))
                (local.set $acc (f32x4.add (local.get $acc) (call $border
                  (local.get $src) (local.get $sw) (local.get $sh) (i32.load (local.get $col)) (i32.load (local.get $row))
                  (f64.load offset=8 (local.get $col)) (f64.load offset=8 (local.get $row)))))
                (local.set $col (i32.add (local.get $col) (i32.const 16)))
                (local.set $sx (i32.add (local.get $sx) (i32.const 1)))
                (br $sxs3)))
              (local.set $sy (i32.add (local.get $sy) (i32.const 1)))
              (br $sys3)))))
        (local.set $acc (i32x4.trunc_sat_f32x4_s (f32x4.floor (f32x4.add (f32x4.mul (local.get $acc) (local.get $scale)) (v128.const f32x4 0.5 0.5 0.5 0.5)))))
        (v128.store32_lane 0 (local.get $o)
          (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_u (local.get $acc) (local.get $acc)) (v128.const i32x4 0 0 0 0)))
        (local.set $o (i32.add (local.get $o) (i32.const 3)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $outCols)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $outRows)))
  )

;; An RGB image halved: each output pixel the mean of a 2×2 block, (p + q + r + s + 2) >> 2 per
  ;; channel (a level of the pyramid in src/face/align.ts); an odd last row or column is dropped. 48 output
  ;; bytes (16 pixels) at a time, in three chunks of 16: output byte J is channel J % 3 of pixel
  ;; J / 3, whose inputs are bytes 6·(J / 3) + J % 3 and 3 after, in both rows, so each chunk
  ;; gathers its 16 first and 16 second bytes of each row with one shuffle (from two loads) apiece,
  ;; and sums the four in 16 bits. A row's last block may write up to 47 bytes past the row (the next
  ;; row overwrites them; the host leaves 48 bytes of slack after the output) and read up to 128
  ;; past the source row (the host keeps that much memory after the source).
  (func (export "halve")
    (param $src i32) (param $sw i32) (param $sh i32) (param $out i32)
    (local $height i32) (local $y i32) (local $i i32) (local $n i32) (local $stride i32)
    (local $p i32) (local $q i32) (local $o i32)
    (local.set $height (i32.shr_u (local.get $sh) (i32.const 1)))
    (local.set $stride (i32.mul (local.get $sw) (i32.const 3)))
    (local.set $n (i32.mul (i32.shr_u (local.get $sw) (i32.const 1)) (i32.const 3)))
    (local.set $y (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
      (local.set $p (i32.add (local.get $src) (i32.mul (i32.shl (local.get $y) (i32.const 1)) (local.get $stride))))
      (local.set $q (i32.add (local.get $p) (local.get $stride)))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $n))))
      (local.set $i (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $i) (local.get $n)))
        ;; Chunk 0: output bytes 0-15 of the block; first inputs at 0 1 2 6 7 8 … 30.
        (v128.store (local.get $o) (call $mean4
          (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (v128.load (local.get $p)) (v128.load offset=16 (local.get $p)))
          (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (v128.load offset=3 (local.get $p)) (v128.load offset=19 (local.get $p)))
          (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (v128.load (local.get $q)) (v128.load offset=16 (local.get $q)))
          (i8x16.shuffle 0 1 2 6 7 8 12 13 14 18 19 20 24 25 26 30 (v128.load offset=3 (local.get $q)) (v128.load offset=19 (local.get $q)))))
        ;; Chunk 1: output bytes 16-31; first inputs at 31 32 36 37 38 … 61, i.e. 31 + (0 1 5 6 7 … 30).
        (v128.store offset=16 (local.get $o) (call $mean4
          (i8x16.shuffle 0 1 5 6 7 11 12 13 17 18 19 23 24 25 29 30 (v128.load offset=31 (local.get $p)) (v128.load offset=47 (local.get $p)))
          (i8x16.shuffle 0 1 5 6 7 11 12 13 17 18 19 23 24 25 29 30 (v128.load offset=34 (local.get $p)) (v128.load offset=50 (local.get $p)))
          (i8x16.shuffle 0 1 5 6 7 11 12 13 17 18 19 23 24 25 29 30 (v128.load offset=31 (local.get $q)) (v128.load offset=47 (local.get $q)))
          (i8x16.shuffle 0 1 5 6 7 11 12 13 17 18 19 23 24 25 29 30 (v128.load offset=34 (local.get $q)) (v128.load offset=50 (local.get $q)))))
        ;; Chunk 2: output bytes 32-47; first inputs at 62 66 67 68 … 92, i.e. 62 + (0 4 5 6 … 30).
        (v128.store offset=32 (local.get $o) (call $mean4
          (i8x16.shuffle 0 4 5 6 10 11 12 16 17 18 22 23 24 28 29 30 (v128.load offset=62 (local.get $p)) (v128.load offset=78 (local.get $p)))
          (i8x16.shuffle 0 4 5 6 10 11 12 16 17 18 22 23 24 28 29 30 (v128.load offset=65 (local.get $p)) (v128.load offset=81 (local.get $p)))
          (i8x16.shuffle 0 4 5 6 10 11 12 16 17 18 22 23 24 28 29 30 (v128.load offset=62 (local.get $q)) (v128.load offset=78 (local.get $q)))
          (i8x16.shuffle 0 4 5 6 10 11 12 16 17 18 22 23 24 28 29 30 (v128.load offset=65 (local.get $q)) (v128.load offset=81 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 96)))
        (local.set $q (i32.add (local.get $q) (i32.const 96)))
        (local.set $o (i32.add (local.get $o) (i32.const 48)))
        (local.set $i (i32.add (local.get $i) (i32.const 48)))
        (br $cols)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows)))
  )

  ;; (a + b + c + d + 2) >> 2 for each of 16 bytes, summed in 16 bits.
  (func $mean4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $two v128)
    (local.set $two (v128.const i16x8 2 2 2 2 2 2 2 2))
    (i8x16.narrow_i16x8_u
      (i16x8.shr_u (i16x8.add (i16x8.add
        (i16x8.add (i16x8.extend_low_i8x16_u (local.get $a)) (i16x8.extend_low_i8x16_u (local.get $b)))
        (i16x8.add (i16x8.extend_low_i8x16_u (local.get $c)) (i16x8.extend_low_i8x16_u (local.get $d)))) (local.get $two)) (i32.const 2))
      (i16x8.shr_u (i16x8.add (i16x8.add
        (i16x8.add (i16x8.extend_high_i8x16_u (local.get $a)) (i16x8.extend_high_i8x16_u (local.get $b)))
        (i16x8.add (i16x8.extend_high_i8x16_u (local.get $c)) (i16x8.extend_high_i8x16_u (local.get $d)))) (local.get $two)) (i32.const 2))))

  ;; One bilinear sample whose neighbours may lie outside the source: those weigh 0 (black).
  (func $border (param $src i32) (param $sw i32) (param $sh i32) (param $x0 i32) (param $y0 i32) (param $wx f64) (param $wy f64) (result v128)
    (local $row i32) (local $p i32) (local $sum v128)
    (local.set $row (i32.mul (local.get $sw) (i32.const 3)))
    (local.set $p (i32.add (local.get $src) (i32.add (i32.mul (local.get $y0) (local.get $row)) (i32.mul (local.get $x0) (i32.const 3)))))
    (local.set $sum (v128.const f32x4 0 0 0 0))
    (if (i32.and (call $inside (local.get $x0) (local.get $sw)) (call $inside (local.get $y0) (local.get $sh)))
      (then (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (call $rgb (local.get $p))
        (f32x4.splat (f32.demote_f64 (f64.mul (f64.sub (f64.const 1) (local.get $wx)) (f64.sub (f64.const 1) (local.get $wy))))))))))
    (if (i32.and (call $inside (i32.add (local.get $x0) (i32.const 1)) (local.get $sw)) (call $inside (local.get $y0) (local.get $sh)))
      (then (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (call $rgb (i32.add (local.get $p) (i32.const 3)))
        (f32x4.splat (f32.demote_f64 (f64.mul (local.get $wx) (f64.sub (f64.const 1) (local.get $wy))))))))))
    (if (i32.and (call $inside (local.get $x0) (local.get $sw)) (call $inside (i32.add (local.get $y0) (i32.const 1)) (local.get $sh)))
      (then (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (call $rgb (i32.add (local.get $p) (local.get $row)))
        (f32x4.splat (f32.demote_f64 (f64.mul (f64.sub (f64.const 1) (local.get $wx)) (local.get $wy)))))))))
    (if (i32.and (call $inside (i32.add (local.get $x0) (i32.const 1)) (local.get $sw)) (call $inside (i32.add (local.get $y0) (i32.const 1)) (local.get $sh)))
      (then (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (call $rgb (i32.add (local.get $p) (i32.add (local.get $row) (i32.const 3))))
        (f32x4.splat (f32.demote_f64 (f64.mul (local.get $wx) (local.get $wy)))))))))
    (local.get $sum))

  ;; Are start, start + dx, start + dy and start + dx + dy all in [0, limit)?
  (func $cornersInside (param $start f64) (param $dx f64) (param $dy f64) (param $limit f64) (result i32)
    (local $lo f64) (local $hi f64)
    (local.set $lo (f64.add (local.get $start) (f64.add (f64.min (local.get $dx) (f64.const 0)) (f64.min (local.get $dy) (f64.const 0)))))
    (local.set $hi (f64.add (local.get $start) (f64.add (f64.max (local.get $dx) (f64.const 0)) (f64.max (local.get $dy) (f64.const 0)))))
    (i32.and (f64.ge (local.get $lo) (f64.const 0)) (f64.lt (local.get $hi) (local.get $limit))))

  (func $inside (param $i i32) (param $n i32) (result i32)
    (i32.lt_u (local.get $i) (local.get $n)))

  ;; The pixel at `p` as f32x4 (R, G, B, 0).
  (func $rgb (param $p i32) (result v128)
    (f32x4.convert_i32x4_s (i8x16.swizzle (v128.load32_zero (local.get $p)) (v128.const i8x16 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16))))
)
