import { useCallback, useEffect, useRef, useState } from 'react'
import { toError } from './parley-react-error.js'
import { useConversation } from './use-conversation.js'
import { useParleyContext } from './use-parley.js'

/** Options of {@link useMarkReadWhenVisible}. */
export interface UseMarkReadWhenVisibleOptions {
  /** How much of the element must be on screen, 0–1 (IntersectionObserver `threshold`). Default 0.5. */
  threshold?: number
  /** Stop marking (e.g. while the user scrolls back through history). Default `true`. */
  enabled?: boolean
}

/**
 * Marks the conversation read while the user can actually see its newest messages: the page is
 * visible (Page Visibility API) and the element given to the returned ref — put it at the end
 * of the message list — is on screen (IntersectionObserver). Without an element, page
 * visibility alone decides. A message arriving while the tab is hidden stays unread until the
 * user comes back. Failures go to the provider's `onError`.
 */
export function useMarkReadWhenVisible(
  conversationId: string,
  options: UseMarkReadWhenVisibleOptions = {},
): (element: Element | null) => void {
  const { client, onError } = useParleyContext()
  const { conversation } = useConversation(conversationId)
  const unread = conversation?.unreadCount ?? 0
  const enabled = options.enabled ?? true
  const threshold = options.threshold ?? 0.5
  const [element, setElement] = useState<Element | null>(null)
  const [onScreen, setOnScreen] = useState(true)
  const [pageVisible, setPageVisible] = useState(isPageVisible)
  const marking = useRef(false)

  useEffect(() => {
    if (typeof document === 'undefined') return
    const update = (): void => setPageVisible(isPageVisible())
    document.addEventListener('visibilitychange', update)
    return () => document.removeEventListener('visibilitychange', update)
  }, [])

  useEffect(() => {
    if (element === null || typeof IntersectionObserver === 'undefined') {
      setOnScreen(true)
      return
    }
    const observer = new IntersectionObserver(
      (entries) => {
        const last = entries.at(-1)
        if (last !== undefined) setOnScreen(last.isIntersecting)
      },
      { threshold },
    )
    observer.observe(element)
    return () => observer.disconnect()
  }, [element, threshold])

  useEffect(() => {
    if (!enabled || unread === 0 || !pageVisible || !onScreen || marking.current) return
    marking.current = true
    client
      .markRead(conversationId)
      .catch((reason: unknown) => onError(toError(reason)))
      .finally(() => {
        marking.current = false
      })
  }, [client, conversationId, enabled, onError, onScreen, pageVisible, unread])

  return useCallback((next: Element | null) => setElement(next), [])
}

function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible'
}
