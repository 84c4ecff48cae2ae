/**
 * Text for screen readers only (a column heading over buttons, say): out of sight and out of the
 * layout, so it never widens or lengthens the page.
 */
export const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
