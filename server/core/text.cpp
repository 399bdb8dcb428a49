#include "core/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <string>

namespace chorus {
namespace {

// General categories trimmed from both ends of a message: separators (Z*), punctuation (P*),
// symbols (S*, which covers most emoji), controls (Cc) and invisible format characters (Cf:
// BOM, zero-width space, ZWJ, emoji tags).
constexpr uint32_t kTrimmedCategories =
    U_GC_Z_MASK | U_GC_P_MASK | U_GC_S_MASK | U_GC_CC_MASK | U_GC_CF_MASK;

bool IsTrimmed(UChar32 c) {
  if ((U_GET_GC_MASK(c) & kTrimmedCategories) != 0) return true;
  // Emoji presentation helpers are marks, not symbols: a variation selector (U+FE0F after "✋")
  // or the enclosing keycap U+20E3. Other marks (Devanagari vowel signs) stay.
  return u_hasBinaryProperty(c, UCHAR_VARIATION_SELECTOR) || u_charType(c) == U_ENCLOSING_MARK;
}

// Latin, Greek and Cyrillic accents after NFKD; other scripts' marks carry meaning ("बंद").
bool IsStrippedAccent(UChar32 c) { return c >= 0x0300 && c <= 0x036F; }

// Arabic-script marks that members type or omit freely: harakat, shadda, sukun and the hamza and
// madda above/below (after NFKD "أ" is alef + hamza above, so "أوقف" meets "اوقف"), the
// superscript alef, and tatweel, which only stretches a word ("تـوقـف"). Letters stay.
bool IsStrippedArabicMark(UChar32 c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// ASCII printable punctuation and symbols are all P* or S*, controls are Cc, so this agrees with
// IsTrimmed on ASCII input.
bool IsAsciiTrimmed(unsigned char c) {
  return c < 0x21 || c == 0x7F ||
         (c < 0x80 && !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z') &&
          !(c >= 'A' && c <= 'Z'));
}

// The fold restricted to ASCII: exact for ASCII input (the common case, no ICU work), and the
// fallback when ICU reports an error (non-ASCII bytes then pass through unchanged).
std::string AsciiFold(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsAsciiTrimmed(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && IsAsciiTrimmed(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out;
  out.reserve(end - begin);
  bool pending_space = false;
  for (size_t i = begin; i < end; ++i) {
    char c = text[i];
    if (IsAsciiSpace(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Compatibility caseless form without accents: NFKD(fold(NFKD(x))) as Unicode §3.13 recommends
// (so "İ" and "ǰ" lose their marks too, and fullwidth "ＪＯＩＮ" is "join"), then accents dropped
// and NFC recomposed, which after NFKD gives NFKC.
bool FoldAndStripAccents(icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return false;
  icu::UnicodeString decomposed = nfkd->normalize(text, status);
  decomposed.foldCase(U_FOLD_CASE_DEFAULT);
  decomposed = nfkd->normalize(decomposed, status);
  if (U_FAILURE(status) || decomposed.isBogus()) return false;
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
    UChar32 c = decomposed.char32At(i);
    if (!IsStrippedAccent(c) && !IsStrippedArabicMark(c)) stripped.append(c);
  }
  text = nfc->normalize(stripped, status);
  return U_SUCCESS(status) && !text.isBogus();
}

// Trims IsTrimmed code points at both ends and collapses inner white space to one ASCII space.
icu::UnicodeString TrimAndCollapse(const icu::UnicodeString& text) {
  int32_t begin = 0;
  int32_t end = text.length();
  while (begin < end && IsTrimmed(text.char32At(begin))) begin = text.moveIndex32(begin, 1);
  while (end > begin) {
    int32_t last = text.moveIndex32(end, -1);
    if (!IsTrimmed(text.char32At(last))) break;
    end = last;
  }
  icu::UnicodeString out;
  bool pending_space = false;
  for (int32_t i = begin; i < end; i = text.moveIndex32(i, 1)) {
    UChar32 c = text.char32At(i);
    if (u_isUWhiteSpace(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out.append(static_cast<UChar>(u' '));
    pending_space = false;
    out.append(c);
  }
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  // RFC 3629 §4 table: the second byte's range depends on the lead byte, which rules out
  // overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
  size_t i = 0;
  const size_t n = bytes.size();
  auto byte = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  auto in = [](unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; };
  while (i < n) {
    unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    int length = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (in(lead, 0xC2, 0xDF)) {
      length = 2;
    } else if (in(lead, 0xE0, 0xEF)) {
      length = 3;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
    } else if (in(lead, 0xF0, 0xF4)) {
      length = 4;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (n - i < static_cast<size_t>(length)) return false;
    if (!in(byte(i + 1), lo, hi)) return false;
    for (int k = 2; k < length; ++k) {
      if (!in(byte(i + k), 0x80, 0xBF)) return false;
    }
    i += length;
  }
  return true;
}

std::string FoldForMatch(std::string_view utf8) {
  // ICU lengths are int32_t; nothing that large is an SMS, so it gets the byte-level fold.
  if (IsAscii(utf8) || utf8.size() > INT32_MAX / 4) return AsciiFold(utf8);
  // fromUTF8 replaces ill-formed sequences with U+FFFD, as the contract promises.
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (text.isBogus()) return AsciiFold(utf8);
  // Trim before NFKD too: it spells some edge symbols as letters ("STOP™" would be "stoptm").
  text = TrimAndCollapse(text);
  if (!FoldAndStripAccents(text)) return AsciiFold(utf8);
  std::string out;
  TrimAndCollapse(text).toUTF8String(out);
  return out;
}

std::string AsciiDigits(std::string_view utf8) {
  if (IsAscii(utf8) || utf8.size() > INT32_MAX) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  const auto length = static_cast<int32_t>(utf8.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(utf8.data(), i, length, c);
    // Nd only: digits of any script have a decimal value 0..9; other numerics ("½", "Ⅻ",
    // superscripts) are not digits of a number a member types and stay as they are.
    if (c >= 0 && u_isdigit(c)) {
      out.push_back(static_cast<char>('0' + u_charDigitValue(c)));
    } else {
      // Ill-formed bytes (c < 0) are copied too: this function only rewrites digits.
      out.append(utf8.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    }
  }
  return out;
}

std::string_view FirstWord(std::string_view folded) {
  std::string_view word = folded.substr(0, folded.find(' '));
  int32_t end = static_cast<int32_t>(word.size());
  while (end > 0) {
    int32_t last = end;
    UChar32 c = 0;
    U8_PREV(word.data(), 0, last, c);
    // A lone continuation byte decodes as negative; it is not punctuation, so stop there.
    if (c < 0 || !IsTrimmed(c)) break;
    end = last;
  }
  return word.substr(0, static_cast<size_t>(end));
}

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

}  // namespace chorus
