// Edits a real metadata blob the way a lying node could: swaps the indices of two calls of
// one enum (found by their SCALE-encoded names), leaving every other byte as it was.

function compact(bytes, at) {
  const b = bytes[at];
  switch (b & 3) {
    case 0: return [b >> 2, at + 1];
    case 1: return [(b | (bytes[at + 1] << 8)) >> 2, at + 2];
    case 2: return [(b | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 2, at + 4];
    default: throw new Error('big compact in a variant');
  }
}

function skipString(bytes, at) {
  const [len, next] = compact(bytes, at);
  return next + len;
}

function skipStrings(bytes, at) {
  let [n, next] = compact(bytes, at);
  while (n--) next = skipString(bytes, next);
  return next;
}

/** Offset of the index byte of the enum variant named `name` whose index is `index`. */
function variantIndexAt(bytes, name, index) {
  const encodedName = Buffer.concat([Buffer.from([name.length << 2]), Buffer.from(name)]);
  for (let at = bytes.indexOf(encodedName); at >= 0; at = bytes.indexOf(encodedName, at + 1)) {
    try {
      // Variant { name, fields: Vec<Field { name: Option<String>, ty: Compact, typeName: Option<String>, docs } >, index, docs }
      let [fields, p] = compact(bytes, at + encodedName.length);
      while (fields--) {
        p = bytes[p] === 1 ? skipString(bytes, p + 1) : p + 1;
        p = compact(bytes, p)[1];
        p = bytes[p] === 1 ? skipString(bytes, p + 1) : p + 1;
        p = skipStrings(bytes, p);
      }
      if (bytes[p] === index) return p;
    } catch {
      // not a variant here; keep looking
    }
  }
  throw new Error(`variant ${name} with index ${index} not found`);
}

/** A copy of `metadata` with calls `a` (index ia) and `b` (index ib) swapped. */
export function swapCallIndices(metadata, [a, ia], [b, ib]) {
  const bytes = Buffer.from(metadata);
  const pa = variantIndexAt(bytes, a, ia);
  const pb = variantIndexAt(bytes, b, ib);
  bytes[pa] = ib;
  bytes[pb] = ia;
  return bytes;
}
