// textcount.ts - a reply's length in its platform's unit, counted exactly as the server counts
// it (channels/chan_text.c): X's weighted characters (Latin and common punctuation 1, other
// scripts and emoji 2, a link 23), Bluesky's graphemes (an emoji with its skin tone, a flag, a
// ZWJ family or a letter with combining accents is one), characters (code points) elsewhere;
// SMS also in segments.

export interface ReplyLimit {
  max: number;
  unit: 'chars' | 'x_weighted' | 'graphemes';
}

const light = (cp: number) => cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);

// The same subset of grapheme-extending code points as chan_text.c's extends().
const extend = (cp: number) =>
  (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x0483 && cp <= 0x0489) || (cp >= 0x0591 && cp <= 0x05bd) ||
  (cp >= 0x0610 && cp <= 0x061a) || (cp >= 0x064b && cp <= 0x065f) || (cp >= 0x0900 && cp <= 0x0903) ||
  (cp >= 0x093a && cp <= 0x094f) || (cp >= 0x0951 && cp <= 0x0957) ||
  (cp >= 0x0e31 && cp <= 0x0e3a && cp !== 0x0e32 && cp !== 0x0e33) || (cp >= 0x0e47 && cp <= 0x0e4e) ||
  (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) || cp === 0x200c || cp === 0x200d ||
  (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
  (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const regional = (cp: number) => cp >= 0x1f1e6 && cp <= 0x1f1ff;

export function graphemes(text: string): number {
  let n = 0;
  let prev = 0;
  let joined = false;
  let riOpen = false;
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    const cont: boolean = n > 0 && (extend(cp) || joined || (prev === 13 && cp === 10) || (riOpen && regional(cp)));
    if (regional(cp)) riOpen = !cont;
    else if (!extend(cp)) riOpen = false;
    if (!cont) n++;
    joined = cp === 0x200d;
    prev = cp;
  }
  return n;
}

export function textLength(text: string, unit: ReplyLimit['unit']): number {
  if (unit === 'graphemes') return graphemes(text);
  if (unit !== 'x_weighted') return [...text].length;
  let n = 0;
  let wordStart = true;
  const cps = [...text];
  for (let i = 0; i < cps.length; ) {
    if (wordStart && /^https?:\/\/\S/.test(cps.slice(i, i + 9).join(''))) {
      n += 23;
      while (i < cps.length && !/[ \n\t\r]/.test(cps[i]!)) i++;
      continue;
    }
    const c = cps[i]!;
    wordStart = /[ \n\t\r]/.test(c);
    n += light(c.codePointAt(0)!) ? 1 : 2;
    i++;
  }
  return n;
}

// GSM 03.38 basic set (and its extension, which costs two); anything else makes the message
// UCS-2: 70 characters in one SMS, 67 per part when split (153 for GSM-7).
const GSM = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = '^{}\\[~]|€';

export function smsSegments(text: string): number {
  if (!text) return 0;
  let gsm = true;
  let units = 0;
  for (const c of text) {
    if (GSM.includes(c)) units += 1;
    else if (GSM_EXT.includes(c)) units += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (!gsm) {
    units = 0;
    for (const c of text) units += c.codePointAt(0)! > 0xffff ? 2 : 1;
    return units <= 70 ? 1 : Math.ceil(units / 67);
  }
  return units <= 160 ? 1 : Math.ceil(units / 153);
}
