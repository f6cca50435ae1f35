;; SIMD kernels that run on TF.js's own wasm heap (the memory is imported): inputs and outputs are
;; TF.js tensors' buffers, addressed by byte offset, so nothing is copied in or out.
(module
  (memory (import "tfjs" "memory") 1)

;; C[z] = A[z] · B[z] for row-major B [batch, k, n], C [batch, m, n], and A [batch, m, k], or
  ;; [batch, k, m] read transposed when $transposeA is 1; m a multiple of 4, n of 8. Each 4 × 8 tile of C
  ;; lives in eight f32x4 accumulators; per p, two loads of B's row, four broadcasts from A and eight
  ;; fused multiply-adds. k is walked in blocks of 32 so the block of B stays in cache while every tile
  ;; of C passes over it (a tile is stored after each block and reloaded for the next).
  (func (export "matMul") (param $a i32) (param $b i32) (param $c i32) (param $batch i32) (param $m i32) (param $k i32) (param $n i32) (param $transposeA i32)
    (local $z i32) (local $p0 i32) (local $pEnd i32) (local $i i32) (local $j i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bp i32) (local $cp i32) (local $bEnd i32)
    (local $rowStrideA i32) (local $stepA i32) (local $rowB i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    ;; A's element (i, p) lies at a + i·rowStrideA + p·stepA.
    (if (local.get $transposeA)
      (then (local.set $rowStrideA (i32.const 4)) (local.set $stepA (i32.shl (local.get $m) (i32.const 2))))
      (else (local.set $rowStrideA (i32.shl (local.get $k) (i32.const 2))) (local.set $stepA (i32.const 4))))
    (local.set $rowB (i32.shl (local.get $n) (i32.const 2)))
    (block $zdone (loop $zloop
      (br_if $zdone (i32.ge_u (local.get $z) (local.get $batch)))
      (local.set $p0 (i32.const 0))
      (block $p0done (loop $p0loop
        (br_if $p0done (i32.ge_u (local.get $p0) (local.get $k)))
        (local.set $pEnd (select (local.get $k) (i32.add (local.get $p0) (i32.const 32)) (i32.lt_u (local.get $k) (i32.add (local.get $p0) (i32.const 32)))))
        (local.set $i (i32.const 0))
        (block $idone (loop $iloop
          (br_if $idone (i32.ge_u (local.get $i) (local.get $m)))
          (local.set $j (i32.const 0))
          (block $jdone (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $cp (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (if (local.get $p0)
              (then
                (local.set $c00 (v128.load (local.get $cp))) (local.set $c01 (v128.load offset=16 (local.get $cp)))
                (local.set $bp (i32.add (local.get $cp) (local.get $rowB)))
                (local.set $c10 (v128.load (local.get $bp))) (local.set $c11 (v128.load offset=16 (local.get $bp)))
                (local.set $bp (i32.add (local.get $bp) (local.get $rowB)))
                (local.set $c20 (v128.load (local.get $bp))) (local.set $c21 (v128.load offset=16 (local.get $bp)))
                (local.set $bp (i32.add (local.get $bp) (local.get $rowB)))
                (local.set $c30 (v128.load (local.get $bp))) (local.set $c31 (v128.load offset=16 (local.get $bp))))
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))))
            (local.set $a0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (local.get $rowStrideA)) (i32.mul (local.get $p0) (local.get $stepA)))))
            (local.set $a1 (i32.add (local.get $a0) (local.get $rowStrideA)))
            (local.set $a2 (i32.add (local.get $a1) (local.get $rowStrideA)))
            (local.set $a3 (i32.add (local.get $a2) (local.get $rowStrideA)))
            (local.set $bp (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $n)) (local.get $j)) (i32.const 2))))
            (local.set $bEnd (i32.add (local.get $bp) (i32.mul (i32.sub (local.get $pEnd) (local.get $p0)) (local.get $rowB))))
            (block $pdone (loop $ploop
              (br_if $pdone (i32.ge_u (local.get $bp) (local.get $bEnd)))
              (local.set $b0 (v128.load (local.get $bp)))
              (local.set $b1 (v128.load offset=16 (local.get $bp)))
              (local.set $s (v128.load32_splat (local.get $a0)))
              (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c00)))
              (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c01)))
              (local.set $s (v128.load32_splat (local.get $a1)))
              (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c10)))
              (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c11)))
              (local.set $s (v128.load32_splat (local.get $a2)))
              (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c20)))
              (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c21)))
              (local.set $s (v128.load32_splat (local.get $a3)))
              (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c30)))
              (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c31)))
              (local.set $a0 (i32.add (local.get $a0) (local.get $stepA)))
              (local.set $a1 (i32.add (local.get $a1) (local.get $stepA)))
              (local.set $a2 (i32.add (local.get $a2) (local.get $stepA)))
              (local.set $a3 (i32.add (local.get $a3) (local.get $stepA)))
              (local.set $bp (i32.add (local.get $bp) (local.get $rowB)))
              (br $ploop)))
            (v128.store (local.get $cp) (local.get $c00)) (v128.store offset=16 (local.get $cp) (local.get $c01))
            (local.set $cp (i32.add (local.get $cp) (local.get $rowB)))
            (v128.store (local.get $cp) (local.get $c10)) (v128.store offset=16 (local.get $cp) (local.get $c11))
            (local.set $cp (i32.add (local.get $cp) (local.get $rowB)))
            (v128.store (local.get $cp) (local.get $c20)) (v128.store offset=16 (local.get $cp) (local.get $c21))
            (local.set $cp (i32.add (local.get $cp) (local.get $rowB)))
            (v128.store (local.get $cp) (local.get $c30)) (v128.store offset=16 (local.get $cp) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $jloop)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $iloop)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 32)))
        (br $p0loop)))
      (local.set $a (i32.add (local.get $a) (i32.shl (i32.mul (local.get $m) (local.get $k)) (i32.const 2))))
      (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (local.get $rowB))))
      (local.set $c (i32.add (local.get $c) (i32.mul (local.get $m) (local.get $rowB))))
      (local.set $z (i32.add (local.get $z) (i32.const 1)))
      (br $zloop)))
  )

  ;; out[j] = Σ_r x[r, j] for row-major x [rows, cols], cols a multiple of 4: rows added four columns at a time.
  (func (export "columnSums") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $o i32) (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $cols) (i32.const 2))))
    (local.set $o (local.get $out))
    (block $zdone (loop $zloop
      (br_if $zdone (i32.ge_u (local.get $o) (local.get $end)))
      (v128.store (local.get $o) (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $zloop)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $o (local.get $out))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (v128.load (local.get $x))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $cloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; Attention's head layout. rows: [batch·length, width], a head's columns at column + h·headDim;
  ;; heads: [batch, heads, length, headDim]. Copies every (b, h, t) run of headDim floats from rows to
  ;; heads ($toHeads = 1) or back (0).
  (func (export "permuteHeads") (param $rows i32) (param $heads i32) (param $batch i32) (param $length i32) (param $headCount i32) (param $headDim i32) (param $width i32) (param $column i32) (param $toHeads i32)
    (local $b i32) (local $h i32) (local $t i32) (local $run i32) (local $from i32)
    (local.set $run (i32.shl (local.get $headDim) (i32.const 2)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $h (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_u (local.get $h) (local.get $headCount)))
        (local.set $t (i32.const 0))
        (block $tdone (loop $tloop
          (br_if $tdone (i32.ge_u (local.get $t) (local.get $length)))
          (local.set $from (i32.add (local.get $rows) (i32.shl
            (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $length)) (local.get $t)) (local.get $width))
                     (i32.add (local.get $column) (i32.mul (local.get $h) (local.get $headDim))))
            (i32.const 2))))
          (if (local.get $toHeads)
            (then (memory.copy (local.get $heads) (local.get $from) (local.get $run)))
            (else (memory.copy (local.get $from) (local.get $heads) (local.get $run))))
          (local.set $heads (i32.add (local.get $heads) (local.get $run)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tloop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )

  ;; GELU (tanh approximation written as x·sigmoid(u)), n a multiple of 4. geluInput: u = 2C·x·(1 + A·x²);
  ;; geluGrad: dx = dy·(s + s·(1 − s)·2C·x·(1 + 3A·x²)) with s = sigmoid(u), C = √(2/π), A = 0.044715.
  (func (export "geluInput") (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $out)
        (f32x4.mul (f32x4.mul (local.get $v) (f32x4.splat (f32.const 1.5957691216057308)))
          (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.splat (f32.const 0.044715)) (f32x4.mul (local.get $v) (local.get $v))))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $next)))
  )
  (func (export "geluGrad") (param $dy i32) (param $x i32) (param $s i32) (param $out i32) (param $n i32)
    (local $end i32) (local $v v128) (local $sv v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $sv (v128.load (local.get $s)))
      (v128.store (local.get $out)
        (f32x4.mul (v128.load (local.get $dy))
          (f32x4.add (local.get $sv)
            (f32x4.mul
              (f32x4.mul (local.get $sv) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $sv)))
              (f32x4.mul (f32x4.mul (local.get $v) (f32x4.splat (f32.const 1.5957691216057308)))
                (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (f32x4.splat (f32.const 0.134145)) (f32x4.mul (local.get $v) (local.get $v)))))))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $next)))
  )

;; LayerNorm's forward, row by row (cols a multiple of 4): mean and variance in two passes over the row,
  ;; then x̂ = (x − mean)·(1/σ) and y = x̂·w + b; x̂ and 1/σ = 1/√(variance + 1e-5) are kept for the gradient.
  (func (export "layerNorm") (param $x i32) (param $w i32) (param $b i32) (param $xhat i32) (param $invStd i32) (param $y i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $o i32) (local $rowBytes i32) (local $n f32) (local $inv f32)
    (local $sum v128) (local $d v128) (local $mean v128) (local $scale v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $n (f32.convert_i32_u (local.get $cols)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $mdone (loop $mloop
        (br_if $mdone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $sum (f32x4.add (local.get $sum) (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $mloop)))
      (local.set $mean (f32x4.splat (f32.div (call $sumLanes (local.get $sum)) (local.get $n))))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $d (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (local.get $mean)))
        (local.set $sum (f32x4.add (local.get $sum) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vloop)))
      (local.set $inv (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (call $sumLanes (local.get $sum)) (local.get $n)) (f32.const 1e-5)))))
      (f32.store (local.get $invStd) (local.get $inv))
      (local.set $scale (f32x4.splat (local.get $inv)))
      (local.set $o (i32.const 0))
      (block $ydone (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $d (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (local.get $mean)) (local.get $scale)))
        (v128.store (i32.add (local.get $xhat) (local.get $o)) (local.get $d))
        (v128.store (i32.add (local.get $y) (local.get $o))
          (f32x4.add (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $w) (local.get $o)))) (v128.load (i32.add (local.get $b) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $yloop)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $xhat (i32.add (local.get $xhat) (local.get $rowBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
      (local.set $invStd (i32.add (local.get $invStd) (i32.const 4)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; The sum of a vector's four lanes.
  (func $sumLanes (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))
  )

  ;; LayerNorm's input gradient, row by row (cols a multiple of 4), with x̂ and 1/σ kept from the forward:
  ;; g = dy·w;  dx = (g − mean(g) − x̂·mean(g·x̂)) · (1/σ).
  (func (export "layerNormGrad") (param $dy i32) (param $xhat i32) (param $invStd i32) (param $w i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $o i32) (local $rowBytes i32) (local $g v128) (local $s1 v128) (local $s2 v128)
    (local $m1 v128) (local $m2 v128) (local $scale v128) (local $n f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $n (f32.convert_i32_u (local.get $cols)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s1 (v128.const i32x4 0 0 0 0))
      (local.set $s2 (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $g (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $o))) (v128.load (i32.add (local.get $w) (local.get $o)))))
        (local.set $s1 (f32x4.add (local.get $s1) (local.get $g)))
        (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $g) (v128.load (i32.add (local.get $xhat) (local.get $o))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $sloop)))
      (local.set $m1 (f32x4.splat (f32.div (call $sumLanes (local.get $s1)) (local.get $n))))
      (local.set $m2 (f32x4.splat (f32.div (call $sumLanes (local.get $s2)) (local.get $n))))
      (local.set $scale (v128.load32_splat (local.get $invStd)))
      (local.set $o (i32.const 0))
      (block $ddone (loop $dloop
        (br_if $ddone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (f32x4.mul (local.get $scale)
            (f32x4.sub
              (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $o))) (v128.load (i32.add (local.get $w) (local.get $o)))) (local.get $m1))
              (f32x4.mul (v128.load (i32.add (local.get $xhat) (local.get $o))) (local.get $m2)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $dloop)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $xhat (i32.add (local.get $xhat) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $invStd (i32.add (local.get $invStd) (i32.const 4)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )
;; Inverted dropout: out = x · mask, mask ∈ {0, scale}, n a multiple of 4. Element i's draw is mulberry32's
  ;; from state seed + (i + 1)·0x6d2b79f5, the stream src/core/random/rng.ts draws, four lanes at a time;
  ;; it is kept when the draw (a uint32) is below $threshold = ⌈(1 − rate)·2³²⌉, exactly when the Rng's
  ;; next() < 1 − rate. The same seed gives the same mask, so the gradient is this kernel again on dy.
  (func (export "dropout") (param $x i32) (param $out i32) (param $n i32) (param $seed i32) (param $threshold i32) (param $scale f32)
    (local $end i32) (local $state v128) (local $t v128) (local $step v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $step (i32x4.splat (i32.const 0x6d2b79f5)))
    (local.set $state (i32x4.add (i32x4.splat (local.get $seed)) (i32x4.mul (local.get $step) (v128.const i32x4 1 2 3 4))))
    (local.set $step (i32x4.shl (local.get $step) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $t (i32x4.mul
        (v128.xor (local.get $state) (i32x4.shr_u (local.get $state) (i32.const 15)))
        (v128.or (local.get $state) (i32x4.splat (i32.const 1)))))
      (local.set $t (v128.xor (local.get $t) (i32x4.add (local.get $t) (i32x4.mul
        (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7)))
        (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
      (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
      (v128.store (local.get $out) (v128.and
        (f32x4.mul (v128.load (local.get $x)) (f32x4.splat (local.get $scale)))
        (i32x4.lt_u (local.get $t) (i32x4.splat (local.get $threshold)))))
      (local.set $state (i32x4.add (local.get $state) (local.get $step)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $next)))
  )
;; One AdamW step for one parameter, n a multiple of 4: m' = β₁m + (1 − β₁)g, v' = β₂v + (1 − β₂)g²,
  ;; p' = p − lr·((m'/c₁) / (√(v'/c₂) + ε) + decay·p) with the bias corrections c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ.
  (func (export "adamW") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $pOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    (param $beta1 f32) (param $beta2 f32) (param $c1 f32) (param $c2 f32) (param $epsilon f32) (param $lr f32) (param $decay f32)
    (local $o i32) (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $pv v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
      (local.set $pv (v128.load (i32.add (local.get $p) (local.get $o))))
      (local.set $mv (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (f32x4.splat (local.get $beta1)))
        (f32x4.mul (local.get $gv) (f32x4.splat (f32.sub (f32.const 1) (local.get $beta1))))))
      (local.set $vv (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (f32x4.splat (local.get $beta2)))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (f32.sub (f32.const 1) (local.get $beta2))))))
      (v128.store (i32.add (local.get $mOut) (local.get $o)) (local.get $mv))
      (v128.store (i32.add (local.get $vOut) (local.get $o)) (local.get $vv))
      (v128.store (i32.add (local.get $pOut) (local.get $o))
        (f32x4.sub (local.get $pv) (f32x4.mul (f32x4.splat (local.get $lr)) (f32x4.add
          (f32x4.div
            (f32x4.div (local.get $mv) (f32x4.splat (local.get $c1)))
            (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $c2)))) (f32x4.splat (local.get $epsilon))))
          (f32x4.mul (local.get $pv) (f32x4.splat (local.get $decay)))))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $next)))
  )

  ;; out [outRows, cols] = 0, then each row r of dy [rows, cols] added into out's row ids[r] (int32):
  ;; the gradient of an embedding lookup, with no one-hot matrix. Four columns at a time, the rest one
  ;; by one; ids outside 0..outRows−1 are skipped rather than written out of bounds.
  (func (export "scatterAddRows") (param $dy i32) (param $ids i32) (param $out i32) (param $rows i32) (param $cols i32) (param $outRows i32)
    (local $r i32) (local $id i32) (local $src i32) (local $dst i32) (local $end i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $outRows) (local.get $rowBytes)))
    (block $done (loop $row
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $id (i32.load (i32.add (local.get $ids) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $src (i32.add (local.get $dy) (i32.mul (local.get $r) (local.get $rowBytes))))
      (if (i32.lt_u (local.get $id) (local.get $outRows))
        (then
          (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $id) (local.get $rowBytes))))
          (local.set $end (i32.add (local.get $src) (local.get $rowBytes)))
          (block $cdone (loop $col
            (br_if $cdone (i32.gt_u (i32.add (local.get $src) (i32.const 16)) (local.get $end)))
            (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (br $col)))
          (block $sdone (loop $scalar
            (br_if $sdone (i32.ge_u (local.get $src) (local.get $end)))
            (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (br $scalar)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
  )

  ;; out = (p − onehot(targets)) · scale for softmax probabilities p [rows, cols], targets int32 [rows]
  ;; and scale a one-element tensor: the gradient of mean cross-entropy without a one-hot matrix.
  ;; Elementwise over the whole buffer (any cols), then one subtraction per row.
  (func (export "crossEntropyGrad") (param $p i32) (param $targets i32) (param $scale i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $s f32) (local $sv v128) (local $i i32) (local $end i32) (local $vecEnd i32) (local $r i32) (local $at i32)
    (local.set $s (f32.load (local.get $scale)))
    (local.set $sv (f32x4.splat (local.get $s)))
    (local.set $end (i32.shl (i32.mul (local.get $rows) (local.get $cols)) (i32.const 2)))
    (local.set $vecEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vdone (loop $vec
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vecEnd)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $sv)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec)))
    (block $tdone (loop $tail
      (br_if $tdone (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.mul (f32.load (i32.add (local.get $p) (local.get $i))) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $tail)))
    (block $rdone (loop $row
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $at (i32.load (i32.add (local.get $targets) (i32.shl (local.get $r) (i32.const 2)))))
      (if (i32.lt_u (local.get $at) (local.get $cols))
        (then
          (local.set $at (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $at)) (i32.const 2))))
          (f32.store (local.get $at) (f32.sub (f32.load (local.get $at)) (local.get $s)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row)))
  )

  ;; Per row of x [rows, cols] (any cols): its maximum m and s = Σ e^(x − m); out [2, rows] holds the
  ;; maxima, then the sums. The log-sum-exp, m + log s, is taken outside (wasm has no log). TF.js's
  ;; wasm Exp is scalar: over GPT-2's 256 × 50,257 logits it took 105 ms a window.
  (func (export "rowMaxSumExp") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $o i32) (local $rowBytes i32) (local $vecBytes i32) (local $m f32) (local $mv v128) (local $sum v128) (local $tail f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $mv (f32x4.splat (f32.load (local.get $x))))
      (local.set $o (i32.const 0))
      (block $mdone (loop $mloop
        (br_if $mdone (i32.ge_u (local.get $o) (local.get $vecBytes)))
        (local.set $mv (f32x4.max (local.get $mv) (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $mloop)))
      (block $mtdone (loop $mtail
        (br_if $mtdone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $mv (f32x4.max (local.get $mv) (f32x4.splat (f32.load (i32.add (local.get $x) (local.get $o))))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $mtail)))
      (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $mv)) (f32x4.extract_lane 1 (local.get $mv)))
                             (f32.max (f32x4.extract_lane 2 (local.get $mv)) (f32x4.extract_lane 3 (local.get $mv)))))
      (local.set $mv (f32x4.splat (local.get $m)))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $vecBytes)))
        (local.set $sum (f32x4.add (local.get $sum) (call $exp4 (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (local.get $mv)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $sloop)))
      (local.set $tail (f32.const 0))
      (block $stdone (loop $stail
        (br_if $stdone (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (local.set $tail (f32.add (local.get $tail)
          (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (f32.sub (f32.load (i32.add (local.get $x) (local.get $o))) (local.get $m)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $stail)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $m))
      (f32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $rows) (local.get $r)) (i32.const 2)))
        (f32.add (call $sumLanes (local.get $sum)) (local.get $tail)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; e^x in four lanes, for x ≤ 0 (x − its row's maximum): x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 in
  ;; two parts, so n·ln 2 is exact), e^r by its Taylor polynomial to r⁶ in Horner form (relative error
  ;; under 2e-7), 2ⁿ written into the exponent bits. x is clamped at −87, where e^x is 1.6e-38: the
  ;; smallest n whose 2ⁿ is a normal float; a NaN stays NaN.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504)))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693145751953125))))
                             (f32x4.mul (local.get $n) (f32x4.splat (f32.const 1.42860682e-6)))))
    (local.set $p (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0.00138888889)) (local.get $r)) (f32x4.splat (f32.const 0.00833333333))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.0416666667))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.166666667))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23)))
  )
)
