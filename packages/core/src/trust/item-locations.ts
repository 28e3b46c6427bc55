// Where a Yjs struct sits in a conversation document — a chunk, a message record, an entry of one
// of the keyed maps — whether it is already in the document or arrives in an update. Yjs does not
// encode the parent of an item that has an origin (it is the origin's parent), so locating a new
// item may need the document's items or other items of the same update; when neither has them
// the answer is `missing` (Yjs would hold such an item as pending too).
import * as Y from 'yjs'

/** The keyed maps of the layout (docs/LAYOUT.md). */
export type MapRoot = 'edits' | 'deleted' | 'reactions' | 'receipts' | 'members' | 'meta'

const MAP_ROOTS: ReadonlySet<string> = new Set<MapRoot>([
  'edits',
  'deleted',
  'reactions',
  'receipts',
  'members',
  'meta',
])

/** Where an item is. */
export type ItemLocation =
  /** A chunk: a Y.Array in the root `chunks`. */
  | { readonly kind: 'chunk' }
  /** A message record in a chunk. */
  | { readonly kind: 'record' }
  /** The value at `key` of a keyed map. */
  | { readonly kind: 'entry'; readonly root: MapRoot; readonly key: string }
  /** Next to collected garbage: Yjs integrates it as garbage, so it changes nothing. */
  | { readonly kind: 'garbage' }
  /** Outside the layout. */
  | { readonly kind: 'outside'; readonly detail: string }

/** `missing`: depends on a struct neither the document nor the update has. */
export type Located = ItemLocation | 'missing'

const CHUNK: ItemLocation = Object.freeze({ kind: 'chunk' })
const RECORD: ItemLocation = Object.freeze({ kind: 'record' })
const GARBAGE: ItemLocation = Object.freeze({ kind: 'garbage' })

type Struct = Y.Item | Y.GC | Y.Skip

/** Locates the structs of one update against one document. Short-lived: one per verdict. */
export class ItemLocator {
  readonly #store: Y.Doc['store']
  readonly #roots = new Map<unknown, string>()
  /** The update's structs by client, in clock order. */
  readonly #update = new Map<number, Struct[]>()
  readonly #memo = new Map<Y.Item, Located>()

  constructor(doc: Y.Doc, structs: readonly Struct[]) {
    this.#store = doc.store
    for (const [name, type] of doc.share) this.#roots.set(type, name)
    for (const struct of structs) {
      let list = this.#update.get(struct.id.client)
      if (list === undefined) this.#update.set(struct.id.client, (list = []))
      list.push(struct)
    }
  }

  /** The struct holding `id`: from the update, else from the document, else `undefined`. */
  find(client: number, clock: number): Struct | undefined {
    const list = this.#update.get(client)
    if (list !== undefined) {
      const found = findIn(list, clock)
      if (found !== undefined && !(found instanceof Y.Skip)) return found
    }
    return this.findInDoc(client, clock)
  }

  /** The document's struct holding `(client, clock)`, or `undefined` when it has not got it. */
  findInDoc(client: number, clock: number): Y.Item | Y.GC | undefined {
    const list = this.#store.clients.get(client)
    if (list === undefined || clock >= Y.getState(this.#store, client)) return undefined
    return list[Y.findIndexSS(list, clock)]
  }

  /** The structs of the update under `client` from `clock` on, in clock order. */
  updateStructs(client: number): readonly Struct[] {
    return this.#update.get(client) ?? []
  }

  /** Where `struct` is (or will be, once integrated). */
  locate(struct: Y.Item | Y.GC): Located {
    if (struct instanceof Y.GC) return GARBAGE
    const known = this.#memo.get(struct)
    if (known !== undefined) return known
    // Follow origins iteratively: one update may append a thousand records, each after the last.
    const chain: Y.Item[] = []
    let item: Y.Item = struct
    let located: Located | undefined
    for (;;) {
      const memo = this.#memo.get(item)
      if (memo !== undefined) {
        located = memo
        break
      }
      chain.push(item)
      if (item.parent !== null) {
        located = this.#locateByParent(item)
        break
      }
      const origin = item.origin ?? item.rightOrigin
      if (origin === null) {
        located = { kind: 'outside', detail: 'an item without parent or origin' }
        break
      }
      const next = this.find(origin.client, origin.clock)
      if (next === undefined) {
        located = 'missing'
        break
      }
      if (!(next instanceof Y.Item)) {
        located = GARBAGE
        break
      }
      item = next
    }
    for (const link of chain) this.#memo.set(link, located)
    return located
  }

  #locateByParent(item: Y.Item): Located {
    const parent = item.parent
    const sub = item.parentSub
    if (typeof parent === 'string') return rootLocation(parent, sub)
    if (parent instanceof Y.AbstractType) {
      const root = this.#roots.get(parent)
      if (root !== undefined) return rootLocation(root, sub)
      return this.#inContainer(parent._item, sub)
    }
    if (parent instanceof Y.ID) {
      const container = this.find(parent.client, parent.clock)
      if (container === undefined) return 'missing'
      if (!(container instanceof Y.Item)) return GARBAGE
      return this.#inContainer(container, sub)
    }
    // Integrated items whose parent was collected.
    return GARBAGE
  }

  /** An item inside the type of `container`: a record when the container is a chunk. */
  #inContainer(container: Y.Item | null, sub: string | null): Located {
    if (container === null) return { kind: 'outside', detail: 'an unknown root type' }
    const where = this.locate(container)
    if (where === 'missing' || where.kind === 'garbage') return where
    if (where.kind !== 'chunk' || sub !== null) {
      return { kind: 'outside', detail: 'an item nested outside a chunk' }
    }
    return RECORD
  }
}

function rootLocation(root: string, sub: string | null): ItemLocation {
  if (root === 'chunks') {
    return sub === null ? CHUNK : { kind: 'outside', detail: 'a key on the chunks array' }
  }
  if (MAP_ROOTS.has(root)) {
    return sub === null
      ? { kind: 'outside', detail: `a list item in map ${root}` }
      : { kind: 'entry', root: root as MapRoot, key: sub }
  }
  return { kind: 'outside', detail: `unknown root ${JSON.stringify(root.slice(0, 40))}` }
}

/** The struct of `list` (clock order, contiguous or not) that holds `clock`. */
function findIn(list: readonly Struct[], clock: number): Struct | undefined {
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const s = list[mid]!
    if (clock < s.id.clock) hi = mid - 1
    else if (clock >= s.id.clock + s.length) lo = mid + 1
    else return s
  }
  return undefined
}
