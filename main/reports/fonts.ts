/**
 * The fonts reports are set in, shipped in resources/fonts and embedded (subset) into every PDF.
 *
 * DejaVu Sans (Bitstream Vera licence, see resources/fonts/LICENSE-DejaVu.txt) because one face
 * must hold every script an audit record may carry: pdfmake picks one font per text run and has no
 * per-glyph fallback, so a record in Hebrew, Arabic, Greek or Cyrillic, or with combining marks,
 * renders as text only if the body font has those glyphs. DejaVu Sans covers Latin with
 * diacritics, Greek, Cyrillic, Hebrew, Arabic (with its joining forms) and the combining marks;
 * Noto would need a file per script. Its condensed cut sets dense tables; DejaVu Sans Mono sets
 * hashes and other values a reader compares character by character. A character none of them has
 * (most emoji) shows as the font's empty box, with the width of one character, and never shifts
 * the layout.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder holding the font files. */
export const FONTS_DIR = fileURLToPath(new URL('../../resources/fonts/', import.meta.url));

/** pdfmake font families: the name used in a document definition, and its four styles' files. */
export const FONT_FAMILIES = {
  Sans: {
    normal: 'DejaVuSans.ttf',
    bold: 'DejaVuSans-Bold.ttf',
    italics: 'DejaVuSans-Oblique.ttf',
    bolditalics: 'DejaVuSans-BoldOblique.ttf',
  },
  Condensed: {
    normal: 'DejaVuSansCondensed.ttf',
    bold: 'DejaVuSansCondensed-Bold.ttf',
    italics: 'DejaVuSansCondensed.ttf',
    bolditalics: 'DejaVuSansCondensed-Bold.ttf',
  },
  Mono: {
    normal: 'DejaVuSansMono.ttf',
    bold: 'DejaVuSansMono-Bold.ttf',
    italics: 'DejaVuSansMono.ttf',
    bolditalics: 'DejaVuSansMono-Bold.ttf',
  },
} as const;

export type FontFamily = keyof typeof FONT_FAMILIES;

let loaded: Map<string, Buffer> | null = null;

/**
 * The font files' bytes by file name, read once. The renderer hands pdfmake these buffers, never a
 * path, so that it reads nothing from disk while rendering.
 */
export function fontFiles(): Map<string, Buffer> {
  if (!loaded) {
    const files = new Map<string, Buffer>();
    for (const family of Object.values(FONT_FAMILIES))
      for (const name of Object.values(family)) {
        if (files.has(name)) continue;
        try {
          files.set(name, readFileSync(FONTS_DIR + name));
        } catch (e) {
          throw new Error(`report font ${FONTS_DIR + name}: ${(e as Error).message}`, { cause: e });
        }
      }
    loaded = files;
  }
  return loaded;
}
