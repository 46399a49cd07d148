// One definition per uniform struct: the schema yields both the WGSL struct text
// that is prepended to the kernel's shader and the byte layout the TS side
// writes, so the two cannot drift apart (tfjs hand-computed alignment, #6699).

/** Scalar field types; each is 4 bytes with 4-byte alignment in WGSL. */
export type UniformType = 'u32' | 'i32' | 'f32';

export class UniformSchema<F extends string> {
  /** `struct <name> { ... }` for the shader. */
  readonly wgsl: string;
  /** Struct size in bytes, rounded to 16 as the uniform address space requires of structs. */
  readonly byteSize: number;
  private readonly offsets: Map<F, { offset: number; type: UniformType }>;

  constructor(
    readonly name: string,
    readonly fields: readonly (readonly [F, UniformType])[],
  ) {
    this.offsets = new Map();
    let offset = 0;
    for (const [field, type] of fields) {
      this.offsets.set(field, { offset, type });
      offset += 4;
    }
    this.byteSize = Math.max(16, Math.ceil(offset / 16) * 16);
    const body = fields.map(([f, t]) => `  ${f}: ${t},`).join('\n');
    this.wgsl = `struct ${name} {\n${body}\n}\n`;
  }

  /** The bytes of one uniform block holding `values`. Every field must be given. */
  pack(values: Readonly<Record<F, number>>): ArrayBuffer {
    const bytes = new ArrayBuffer(this.byteSize);
    this.write(values, new DataView(bytes), 0);
    return bytes;
  }

  /** True when `field` is one of the struct's fields. */
  has(field: string): boolean {
    return this.offsets.has(field as F);
  }

  /** Writes `values` at `offset` of `view`. Every field must be given. */
  write(values: Readonly<Record<F, number>>, view: DataView, offset: number): void {
    for (const [field, { offset: o, type }] of this.offsets) {
      const v = values[field];
      if (type === 'f32') view.setFloat32(offset + o, v, true);
      else if (type === 'i32') view.setInt32(offset + o, v, true);
      else view.setUint32(offset + o, v, true);
    }
  }
}
