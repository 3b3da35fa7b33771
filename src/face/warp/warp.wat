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
