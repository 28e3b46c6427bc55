// A new task for the write path's group commit: not a microtask (the change notifications of the
// current task go out first, and sends made in back-to-back tasks share one transaction) and not a
// clamped timer (a lone send pays no 1–4 ms delay).

/** Runs `fn` in a new task: MessageChannel where it exists (no timer clamping), else setTimeout. */
export function nextTask(fn: () => void): void {
  channel ??= createTaskChannel()
  if (channel === null) {
    setTimeout(fn, 0)
    return
  }
  tasks.push(fn)
  channel.port2.postMessage(null)
}

/** The part of MessageChannel used here (core has no DOM types; Node and browsers both have it). */
interface TaskPort {
  onmessage: ((event: unknown) => void) | null
  postMessage(message: unknown): void
  unref?: () => void
}
interface TaskChannel {
  port1: TaskPort
  port2: TaskPort
}

const tasks: (() => void)[] = []
let channel: TaskChannel | null | undefined

function createTaskChannel(): TaskChannel | null {
  const Channel = (globalThis as unknown as { MessageChannel?: new () => TaskChannel })
    .MessageChannel
  if (Channel === undefined) return null
  const created = new Channel()
  created.port1.onmessage = () => tasks.shift()?.()
  // Node keeps a process alive while a port listens; the queue must not.
  created.port1.unref?.()
  created.port2.unref?.()
  return created
}
