;; Exact-search scan kernel: one ranking key per stored row, written to an output block.
;;
;; Memory is owned by the host (one per namespace slab), imported as env.memory; it is shared, so
;; scan threads bind their own instance of this module to a slab's memory and score disjoint rows
;; at once (each with its own query and output scratch). Rows are
;; `rowBytes` apart, rowBytes a multiple of 16; the pad lanes of every row and of the query
;; are zero, so the SIMD loops need no scalar tail. Keys are "lower is closer" for every
;; metric so the host runs one top-k: euclidean -> sqrt(sum (q-x)^2), dotproduct -> -(q.x),
;; cosine -> -(q.x * queryScale * invNorms[slot]).
;; Four accumulators: one f32x4.add chain per 16 bytes would be latency-bound (~4 cycles per
;; add), well below memory bandwidth.
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; kind: 0 euclidean, 1 dotproduct, 2 cosine.
  ;; slots = 0: rows first .. first+count-1; else: rows named by the u32 array at `slots`.
  (func (export "scan")
    (param $kind i32) (param $query i32) (param $vectors i32) (param $rowBytes i32)
    (param $first i32) (param $count i32) (param $slots i32) (param $out i32)
    (param $invNorms i32) (param $queryScale f32)
    (local $i i32) (local $slot i32) (local $q i32) (local $x i32) (local $chunksEnd i32) (local $rowEnd i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $d v128) (local $sum f32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $slot
          (if (result i32) (local.get $slots)
            (then (i32.load (i32.add (local.get $slots) (i32.shl (local.get $i) (i32.const 2)))))
            (else (i32.add (local.get $first) (local.get $i)))))
        (local.set $q (local.get $query))
        (local.set $x (i32.add (local.get $vectors) (i32.mul (local.get $slot) (local.get $rowBytes))))
        (local.set $rowEnd (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $chunksEnd (i32.add (local.get $x) (i32.and (local.get $rowBytes) (i32.const -64))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (if (i32.eqz (local.get $kind))
          (then
            ;; euclidean: accumulate (q - x)^2, 64 bytes a step, then 16.
            (block $end64 (loop $step64
              (br_if $end64 (i32.ge_u (local.get $x) (local.get $chunksEnd)))
              (local.set $d (f32x4.sub (v128.load (local.get $q)) (v128.load (local.get $x))))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d) (local.get $d))))
              (local.set $d (f32x4.sub (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $x))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $d) (local.get $d))))
              (local.set $d (f32x4.sub (v128.load offset=32 (local.get $q)) (v128.load offset=32 (local.get $x))))
              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $d) (local.get $d))))
              (local.set $d (f32x4.sub (v128.load offset=48 (local.get $q)) (v128.load offset=48 (local.get $x))))
              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $d) (local.get $d))))
              (local.set $q (i32.add (local.get $q) (i32.const 64)))
              (local.set $x (i32.add (local.get $x) (i32.const 64)))
              (br $step64)))
            (block $end16 (loop $step16
              (br_if $end16 (i32.ge_u (local.get $x) (local.get $rowEnd)))
              (local.set $d (f32x4.sub (v128.load (local.get $q)) (v128.load (local.get $x))))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d) (local.get $d))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $x (i32.add (local.get $x) (i32.const 16)))
              (br $step16))))
          (else
            ;; dotproduct and cosine: accumulate q * x.
            (block $end64 (loop $step64
              (br_if $end64 (i32.ge_u (local.get $x) (local.get $chunksEnd)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $x)))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $x)))))
              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $q)) (v128.load offset=32 (local.get $x)))))
              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $q)) (v128.load offset=48 (local.get $x)))))
              (local.set $q (i32.add (local.get $q) (i32.const 64)))
              (local.set $x (i32.add (local.get $x) (i32.const 64)))
              (br $step64)))
            (block $end16 (loop $step16
              (br_if $end16 (i32.ge_u (local.get $x) (local.get $rowEnd)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $q)) (v128.load (local.get $x)))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $x (i32.add (local.get $x) (i32.const 16)))
              (br $step16)))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (if (result f32) (i32.eqz (local.get $kind))
            (then (f32.sqrt (local.get $sum)))
            (else (if (result f32) (i32.eq (local.get $kind) (i32.const 1))
              (then (f32.neg (local.get $sum)))
              (else (f32.neg (f32.mul
                (f32.mul (local.get $sum) (local.get $queryScale))
                (f32.load (i32.add (local.get $invNorms) (i32.shl (local.get $slot) (i32.const 2)))))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
