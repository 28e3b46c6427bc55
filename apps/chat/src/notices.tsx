// Short messages for the user ("Could not edit: …"), shown in one polite live region.
import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react'
import { describeError } from './describe-error.js'

interface Notice {
  readonly id: number
  readonly text: string
}

type Notify = (text: string, error?: unknown) => void

const NoticeContext = createContext<Notify>(() => undefined)

/** Shows `text` (plus the error's description) for a few seconds. */
export function useNotify(): Notify {
  return useContext(NoticeContext)
}

/** Holds the notices and renders them. */
export function NoticeArea({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<readonly Notice[]>([])
  const next = useRef(0)
  const dismiss = useCallback((id: number) => {
    setNotices((list) => list.filter((notice) => notice.id !== id))
  }, [])
  const notify = useCallback<Notify>(
    (text, error) => {
      if (error !== undefined) console.warn('[parley]', text, error)
      const id = next.current++
      const full = error === undefined ? text : `${text}: ${describeError(error)}`
      setNotices((list) => [...list.slice(-2), { id, text: full }])
      setTimeout(() => dismiss(id), 6000)
    },
    [dismiss],
  )
  const value = useMemo(() => notify, [notify])
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div className="notices" role="status" aria-live="polite">
        {notices.map((notice) => (
          <div className="notice" key={notice.id}>
            <span>{notice.text}</span>
            <button type="button" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  )
}
