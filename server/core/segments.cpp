#include "core/segments.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <vector>

namespace chorus {
namespace {

// GSM 03.38 basic table above ASCII (3GPP TS 23.038; as in Twilio's UnicodeToGSM.ts). Lower-case
// ç is deliberately absent: only Ç (0x09) is in the table.
constexpr char32_t kBasicNonAscii[] = {
    U'¡', U'£', U'¤', U'¥', U'§', U'¿', U'Ä', U'Å', U'Æ', U'Ç', U'É', U'Ñ', U'Ö',
    U'Ø', U'Ü', U'ß', U'à', U'ä', U'å', U'æ', U'è', U'é', U'ì', U'ñ', U'ò', U'ö',
    U'ø', U'ù', U'ü', U'Γ', U'Δ', U'Θ', U'Λ', U'Ξ', U'Π', U'Σ', U'Φ', U'Ψ', U'Ω',
};

// Extension table (§9.2): each costs ESC + code, two septets.
constexpr char32_t kExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

template <size_t N>
bool Contains(const char32_t (&table)[N], char32_t c) {
  for (char32_t t : table) {
    if (t == c) return true;
  }
  return false;
}

// Septets for one character, or 0 when it is not in GSM-7.
int GsmSeptets(char32_t c) {
  if (Contains(kExtension, c)) return 2;
  // Printable ASCII is in the basic table except the backtick; of the controls only LF and CR.
  if (c == U'\n' || c == U'\r') return 1;
  if (c >= 0x20 && c < 0x7F) return c == U'`' ? 0 : 1;
  return Contains(kBasicNonAscii, c) ? 1 : 0;
}

// One character as the packer sees it: a code point, or an invalid byte (kInvalid).
constexpr char32_t kInvalid = 0xFFFFFFFF;

std::vector<char32_t> Decode(std::string_view utf8) {
  std::vector<char32_t> chars;
  chars.reserve(utf8.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t length = utf8.size();
  size_t i = 0;
  while (i < length) {
    size_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      // Contract: every byte of an ill-formed sequence counts as one UCS-2 unit.
      chars.insert(chars.end(), i - start, kInvalid);
    } else {
      chars.push_back(static_cast<char32_t>(c));
    }
  }
  return chars;
}

int Ucs2Units(char32_t c) { return c != kInvalid && c > 0xFFFF ? 2 : 1; }

struct Limits {
  int single;
  int per_part;
};

// §9.3: 1120 bits alone; 1072 bits per part once a 6-octet concatenation header is added.
constexpr Limits kGsm7Limits{160, 153};
constexpr Limits kUcs2Limits{70, 67};

// What a look-alike becomes in GSM-7 (Unicode's punctuation and space blocks, by code point).
struct LookAlike {
  char32_t from;
  const char* to;
};
constexpr LookAlike kLookAlikes[] = {
    {U'\u2018', "'"},  {U'\u2019', "'"},   {U'\u201A', "'"},  {U'\u201B', "'"},
    {U'\u2032', "'"},  {U'\u201C', "\""},  {U'\u201D', "\""}, {U'\u201E', "\""},
    {U'\u201F', "\""}, {U'\u2033', "\""},  {U'\u2010', "-"},  {U'\u2011', "-"},
    {U'\u2012', "-"},  {U'\u2013', "-"},   {U'\u2014', "-"},  {U'\u2015', "-"},
    {U'\u2212', "-"},  {U'\u2022', "-"},   {U'\u00A0', " "},  {U'\u2002', " "},
    {U'\u2003', " "},  {U'\u2009', " "},   {U'\u200A', " "},  {U'\u202F', " "},
    {U'\u2007', " "},  {U'\u2026', "..."},
};

void AppendUtf8(std::string& out, char32_t c) {
  char buffer[4];
  int32_t length = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buffer), length, 4, static_cast<UChar32>(c), error);
  if (!error) out.append(buffer, static_cast<std::size_t>(length));
}

}  // namespace

std::vector<std::string> Ucs2Characters(std::string_view utf8) {
  std::vector<char32_t> seen;
  std::vector<std::string> out;
  for (char32_t c : Decode(utf8)) {
    if (c != kInvalid && GsmSeptets(c) != 0) continue;
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
    seen.push_back(c);
    std::string character;
    if (c == kInvalid) {
      character = "\uFFFD";  // an invalid byte, shown as the replacement character
    } else {
      AppendUtf8(character, c);
    }
    out.push_back(std::move(character));
  }
  return out;
}

LookAlikes ReplaceLookAlikes(std::string_view utf8) {
  LookAlikes out;
  out.text.reserve(utf8.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t length = utf8.size();
  size_t i = 0;
  while (i < length) {
    const size_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    const auto* match = std::find_if(std::begin(kLookAlikes), std::end(kLookAlikes),
                                     [&](const LookAlike& l) { return c >= 0 && l.from == static_cast<char32_t>(c); });
    if (match != std::end(kLookAlikes)) {
      out.text += match->to;
      ++out.replaced;
    } else {
      out.text.append(utf8.substr(start, i - start));  // as written, invalid bytes included
    }
  }
  return out;
}

SegmentCount CountSegments(std::string_view utf8) {
  const std::vector<char32_t> chars = Decode(utf8);
  SegmentCount count;
  for (char32_t c : chars) {
    if (c == kInvalid || GsmSeptets(c) == 0) {
      count.encoding = TextEncoding::kUcs2;
      break;
    }
  }
  const bool gsm = count.encoding == TextEncoding::kGsm7;
  auto cost = [gsm](char32_t c) { return gsm ? GsmSeptets(c) : Ucs2Units(c); };
  for (char32_t c : chars) count.units += cost(c);
  const Limits limits = gsm ? kGsm7Limits : kUcs2Limits;
  if (count.units == 0) return count;
  if (count.units <= limits.single) {
    count.segments = 1;
    return count;
  }
  // Pack like Twilio's calculator: a character that does not fit opens the next part, so an
  // escape pair or a surrogate pair is never split.
  count.segments = 1;
  int used = 0;
  for (char32_t c : chars) {
    const int units = cost(c);
    if (used + units > limits.per_part) {
      ++count.segments;
      used = 0;
    }
    used += units;
  }
  return count;
}

}  // namespace chorus
