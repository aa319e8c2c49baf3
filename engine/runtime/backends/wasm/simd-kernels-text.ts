/**
 * WebAssembly text of the element-wise training kernels that tfjs's wasm backend lacks (simd-kernels.ts
 * compiles and instantiates it on tfjs's own memory). Channels-last data, channels a multiple of 4, one
 * 128-bit SIMD vector = 4 channels; pointers are byte offsets into the shared heap. Each kernel is one pass
 * over its data, where tfjs composes several kernels with a full pass each.
 */
export const MEMORY_IMPORT = ';; memory import';

/** `(v128.load ptr + j)`: the current 4 channels of a per-pixel array, or of a per-channel row. */
const at = (pointer: string) => `(i32.add (local.get $${pointer}) (local.get $j))`;
const load = (pointer: string) => `(v128.load ${at(pointer)})`;
/** `row[j..j+4] += value` for a per-channel accumulator row. */
const accumulate = (row: string, value: string) => `(v128.store ${at(row)} (f32x4.add ${load(row)} ${value}))`;

/**
 * A kernel over `pixels` rows of `channels` floats: `body` runs for every 4-channel vector j of every pixel,
 * then each pointer in `advancing` moves to the next pixel. `accumulators` are per-channel rows zeroed first.
 */
function channelKernel(
  name: string,
  params: string[],
  advancing: string[],
  body: string,
  accumulators: string[] = [],
  locals = '',
): string {
  return `
  (func (export "${name}") ${params.map((p) => `(param $${p} i32)`).join(' ')}
    (local $row i32) (local $end i32) (local $j i32) ${locals}
    (local.set $row (i32.shl (local.get $channels) (i32.const 2)))
    ${accumulators.map((a) => `(call $zero (local.get $${a}) (local.get $row))`).join('\n    ')}
    (local.set $end (i32.add (local.get $${advancing[0]}) (i32.mul (local.get $pixels) (local.get $row))))
    (block $done (loop $pixel
      (br_if $done (i32.ge_u (local.get $${advancing[0]}) (local.get $end)))
      (local.set $j (i32.const 0))
      (block $row_done (loop $vector
        (br_if $row_done (i32.ge_u (local.get $j) (local.get $row)))
        ${body}
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vector)))
      ${advancing.map((p) => `(local.set $${p} (i32.add (local.get $${p}) (local.get $row)))`).join('\n      ')}
      (br $pixel))))`;
}

const centred = `(f32x4.sub ${load('x')} ${load('mean')})`;

export const SIMD_KERNELS_WAT = `
(module
  ${MEMORY_IMPORT}

  ;; out[c] = 0 for the row of c channels at out (bytes = 4c).
  (func $zero (param $out i32) (param $bytes i32)
    (local $j i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $bytes)))
      (v128.store (i32.add (local.get $out) (local.get $j)) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $next))))

  ;; sums[c] = Σ_p x[p, c]
  ${channelKernel('channel_sums', ['x', 'pixels', 'channels', 'sums'], ['x'], accumulate('sums', load('x')), ['sums'])}

  ;; sums[c] = Σ_p (x[p, c] − mean[c])²
  ${channelKernel(
    'channel_centered_squares',
    ['x', 'pixels', 'channels', 'mean', 'sums'],
    ['x'],
    `(local.set $d ${centred})\n        ${accumulate('sums', '(f32x4.mul (local.get $d) (local.get $d))')}`,
    ['sums'],
    '(local $d v128)',
  )}

  ;; y[p, c] = x[p, c]·scale[c] + shift[c]
  ${channelKernel(
    'channel_affine',
    ['x', 'pixels', 'channels', 'scale', 'shift', 'y'],
    ['x', 'y'],
    `(v128.store ${at('y')} (f32x4.add (f32x4.mul ${load('x')} ${load('scale')}) ${load('shift')}))`,
  )}

  ;; dySums[c] = Σ_p dy[p, c];  dyCentered[c] = Σ_p dy[p, c]·(x[p, c] − mean[c])
  ${channelKernel(
    'channel_gradient_sums',
    ['dy', 'x', 'pixels', 'channels', 'mean', 'dySums', 'dyCentered'],
    ['x', 'dy'],
    `${accumulate('dySums', load('dy'))}\n        ${accumulate('dyCentered', `(f32x4.mul ${load('dy')} ${centred})`)}`,
    ['dySums', 'dyCentered'],
  )}

  ;; dx[p, c] = a[c]·dy[p, c] + b[c]·x[p, c] + k[c]
  ${channelKernel(
    'channel_gradient_apply',
    ['dy', 'x', 'pixels', 'channels', 'a', 'b', 'k', 'dx'],
    ['x', 'dy', 'dx'],
    `(v128.store ${at('dx')} (f32x4.add (f32x4.add (f32x4.mul ${load('a')} ${load('dy')}) (f32x4.mul ${load('b')} ${load('x')})) ${load('k')}))`,
  )}

  ;; dx[i] = dy[i] where x[i] > 0, else 0 (ReLU's gradient), over count floats, count a multiple of 4.
  (func (export "relu_gradient") (param $dy i32) (param $x i32) (param $count i32) (param $dx i32)
    (local $j i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $count) (i32.const 2)))
    (block $done (loop $vector
      (br_if $done (i32.ge_u (local.get $j) (local.get $bytes)))
      (v128.store ${at('dx')} (v128.and ${load('dy')} (f32x4.gt ${load('x')} (v128.const f32x4 0 0 0 0))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $vector))))

  ;; 2×2, stride-2 max pooling's gradient: every input position equal to its window's maximum y gets the
  ;; window's dy, the others 0. x, dx: [rows·2, width, channels] with rows = batch·height/2 output rows.
  (func (export "max_pool_2x2_gradient") (param $x i32) (param $y i32) (param $dy i32) (param $rows i32) (param $outWidth i32) (param $channels i32) (param $dx i32)
    (local $row i32) (local $inRow i32) (local $r i32) (local $o i32) (local $j i32) (local $top i32) (local $max v128) (local $g v128)
    (local.set $row (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $inRow (i32.mul (i32.shl (local.get $outWidth) (i32.const 1)) (local.get $row)))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $o (i32.const 0))
      (block $cols_done (loop $each_col
        (br_if $cols_done (i32.ge_u (local.get $o) (local.get $outWidth)))
        (local.set $j (i32.const 0))
        (block $vec_done (loop $vector
          (br_if $vec_done (i32.ge_u (local.get $j) (local.get $row)))
          (local.set $max ${load('y')})
          (local.set $g ${load('dy')})
          (local.set $top (i32.add (local.get $j) (i32.mul (i32.shl (local.get $o) (i32.const 1)) (local.get $row))))
          ${[
            '(local.get $top)',
            '(i32.add (local.get $top) (local.get $row))',
            '(i32.add (local.get $top) (local.get $inRow))',
            '(i32.add (local.get $top) (i32.add (local.get $inRow) (local.get $row)))',
          ]
            .map(
              (offset) =>
                `(v128.store (i32.add (local.get $dx) ${offset}) (v128.and (local.get $g) (f32x4.eq (v128.load (i32.add (local.get $x) ${offset})) (local.get $max))))`,
            )
            .join('\n          ')}
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $vector)))
        (local.set $y (i32.add (local.get $y) (local.get $row)))
        (local.set $dy (i32.add (local.get $dy) (local.get $row)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $each_col)))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $inRow) (i32.const 1))))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $inRow) (i32.const 1))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row))))
)
`;
