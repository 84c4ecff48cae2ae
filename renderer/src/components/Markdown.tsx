/**
 * Case descriptions and notes as Markdown, rendered inert. Their text may come from anyone (an
 * imported bundle, a pasted audit record), so nothing in it may run, load or navigate: raw HTML is
 * shown as text (react-markdown without rehype-raw), links become their text followed by their
 * address, images become their alt text, and nothing with a URL ever reaches the DOM as an
 * attribute (no href, no src).
 */
import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import ReactMarkdown, { type Components, type UrlTransform } from 'react-markdown';

/** Schemes a link may show as an address; any other (javascript:, data:, vbscript:…) is marked. */
const SHOWN_SCHEMES = /^(https?:|mailto:|#|\/|\.{0,2}\/)/i;
const BLOCKED = 'blocked:';

/**
 * Addresses are only ever shown as text, never followed; an unexpected scheme is flagged so the
 * reader sees it is not a link. Image sources are dropped outright: nothing is fetched.
 */
const urlTransform: UrlTransform = (url, key) => {
  if (key === 'src') return '';
  // Control characters and spaces can hide a scheme ("java\tscript:"): compare without them.
  // eslint-disable-next-line no-control-regex
  const bare = url.replace(/[\u0000-\u0020\u007f]/g, '');
  if (bare === '' || SHOWN_SCHEMES.test(bare) || !/^[a-z][a-z0-9+.-]*:/i.test(bare)) return url;
  return `${BLOCKED}${url}`;
};

const ELEMENTS = [
  'p',
  'br',
  'em',
  'strong',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'hr',
  'a',
  'img',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
];

/** Headings stay below the screen's own (h2) and section (h3) headings. */
const heading = (level: 'h4' | 'h5' | 'h6') =>
  function Heading({ children }: { children?: ReactNode }) {
    return (
      <Typography
        component={level}
        variant="subtitle2"
        sx={{ fontWeight: 600, mt: 1.5, mb: 0.5, fontSize: level === 'h4' ? 15 : 13 }}
      >
        {children}
      </Typography>
    );
  };

const components: Components = {
  a({ href, children }) {
    const address = href ?? '';
    if (address.startsWith(BLOCKED))
      return (
        <span data-md="blocked-link">
          {children}{' '}
          <Box component="span" sx={{ color: 'text.secondary', fontSize: '0.92em' }}>
            (link removed: {address.slice(BLOCKED.length)})
          </Box>
        </span>
      );
    return (
      <span data-md="link">
        {children}
        {address && children !== address && (
          <Box
            component="span"
            sx={{ color: 'text.secondary', fontSize: '0.92em', wordBreak: 'break-all' }}
          >
            {' '}
            &lt;{address}&gt;
          </Box>
        )}
      </span>
    );
  },
  img({ alt }) {
    return (
      <Box
        component="span"
        data-md="image"
        sx={{ color: 'text.secondary', fontStyle: 'italic', fontSize: '0.92em' }}
      >
        {alt ? `${alt} ` : ''}[image not loaded]
      </Box>
    );
  },
  h1: heading('h4'),
  h2: heading('h5'),
  h3: heading('h6'),
  h4: heading('h6'),
  h5: heading('h6'),
  h6: heading('h6'),
};

export function Markdown({ text, label }: { text: string; label?: string }) {
  return (
    <Box
      className="custos-markdown"
      aria-label={label}
      role={label ? 'group' : undefined}
      sx={{
        fontSize: 13,
        lineHeight: 1.55,
        overflowWrap: 'anywhere',
        '& > :first-of-type': { mt: 0 },
        '& > :last-child': { mb: 0 },
        '& p': { my: 0.75 },
        '& ul, & ol': { my: 0.75, pl: 3 },
        '& blockquote': {
          my: 1,
          mx: 0,
          pl: 1.5,
          borderLeft: 3,
          borderColor: 'divider',
          color: 'text.secondary',
        },
        '& code': {
          fontFamily: 'monospace',
          fontSize: 12,
          bgcolor: 'action.hover',
          px: 0.5,
          borderRadius: 0.5,
        },
        '& pre': { bgcolor: 'action.hover', p: 1, borderRadius: 1, overflow: 'auto' },
        '& pre code': { bgcolor: 'transparent', p: 0 },
        '& hr': { border: 0, borderTop: 1, borderColor: 'divider', my: 1.5 },
      }}
    >
      <ReactMarkdown
        allowedElements={ELEMENTS}
        unwrapDisallowed
        urlTransform={urlTransform}
        components={components}
      >
        {text}
      </ReactMarkdown>
    </Box>
  );
}
