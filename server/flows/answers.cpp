#include "flows/answers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "core/text.hpp"

namespace chorus::flows {
namespace {

struct YesNoWords {
  std::vector<std::string_view> yes, no;
};

// Folded (FoldForMatch) words per language. Only words that answer a yes/no question on
// their own; docs/FLOWS.md lists them.
const std::map<std::string, YesNoWords, std::less<>>& YesNoTable() {
  static const auto* table = new std::map<std::string, YesNoWords, std::less<>>{
      {"en",
       {{"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay"}, {"no", "n", "nope", "nah"}}},
      {"es", {{"si", "s", "claro", "vale"}, {"no"}}},
      {"fr", {{"oui", "o", "ouais"}, {"non", "n"}}},
      {"pt", {{"sim", "s"}, {"nao", "n"}}},
      {"de", {{"ja", "j"}, {"nein", "n"}}},
      {"hi", {{"हाँ", "हां", "haan", "han", "ha", "ji"}, {"नहीं", "नही", "nahi", "nahin", "na"}}},
      {"bn", {{"হ্যাঁ", "হ্যা", "হা"}, {"না"}}},
      {"ta", {{"ஆம்", "ஆமாம்"}, {"இல்லை"}}},
      {"ar", {{"نعم", "ايوه", "اي"}, {"لا"}}},
      {"ur", {{"ہاں", "جی", "haan", "ji"}, {"نہیں", "nahi"}}},
      {"ru", {{"да", "ага"}, {"нет"}}},
      {"sw", {{"ndiyo", "ndio", "ndyo"}, {"hapana", "la"}}},
      {"id", {{"ya", "iya"}, {"tidak", "tdk", "gak", "nggak"}}},
      {"tl", {{"oo", "opo", "oho"}, {"hindi", "ayoko"}}},
  };
  return *table;
}

bool InList(const std::vector<std::string_view>& words, std::string_view folded) {
  return std::find(words.begin(), words.end(), folded) != words.end();
}

// The sign and decimal point in front of a number ("-5", ".5", "- 5"), which FoldForMatch
// trims as punctuation: without them "-5" would be read as 5 and ".5" as 5.
std::string LeadingSignAndPoint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '-' || c == '.') {
      out.push_back(c);
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      break;
    }
  }
  return out;
}

// Commas are thousands separators ("1,000", "12,500,000") unless there is exactly one and it is
// not followed by exactly three digits: then it is a decimal comma ("1,5", "2,75"), as most
// languages Chorus speaks write decimals.
void ReadCommas(std::string& ascii) {
  const auto comma = ascii.find(',');
  if (comma == std::string::npos) return;
  const bool one = ascii.find(',', comma + 1) == std::string::npos;
  if (one && ascii.size() - comma - 1 != 3) {
    ascii[comma] = '.';
    return;
  }
  ascii.erase(std::remove(ascii.begin(), ascii.end(), ','), ascii.end());
}

std::optional<double> ParseNumber(std::string_view text) {
  std::string ascii = LeadingSignAndPoint(text) + AsciiDigits(FoldForMatch(text));
  ReadCommas(ascii);
  if (ascii.empty() || ascii.size() > 32) return std::nullopt;
  double value = 0;
  // from_chars for double is in GCC 11+; it rejects trailing text, which is what we want.
  auto [end, error] = std::from_chars(ascii.data(), ascii.data() + ascii.size(), value);
  if (error != std::errc() || end != ascii.data() + ascii.size()) return std::nullopt;
  // from_chars also reads "nan" and "inf", which no range check can refuse (NaN compares false).
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::string FormatNumber(double value) {
  char buffer[64];
  // Integers print without a point; the bound keeps the cast to long long defined.
  if (std::fabs(value) < 1e15 && value == std::trunc(value)) {
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.15g", value);  // every digit a member can mean
  }
  return buffer;
}

std::string Compact(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '-')
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsUkOrCanadaShape(const std::string& compact, const std::string& country) {
  if (country == "CA") {
    return compact.size() == 6 && std::isalpha(static_cast<unsigned char>(compact[0])) &&
           std::isdigit(static_cast<unsigned char>(compact[1])) &&
           std::isalpha(static_cast<unsigned char>(compact[2])) &&
           std::isdigit(static_cast<unsigned char>(compact[3])) &&
           std::isalpha(static_cast<unsigned char>(compact[4])) &&
           std::isdigit(static_cast<unsigned char>(compact[5]));
  }
  // GB: outward code (2-4) + inward code (digit, two letters).
  if (compact.size() < 5 || compact.size() > 7) return false;
  const std::string inward = compact.substr(compact.size() - 3);
  return std::isdigit(static_cast<unsigned char>(inward[0])) &&
         std::isalpha(static_cast<unsigned char>(inward[1])) &&
         std::isalpha(static_cast<unsigned char>(inward[2])) &&
         std::isalpha(static_cast<unsigned char>(compact[0]));
}

// Digits-only postal codes by country; others fall back to a generic shape.
int DigitsFor(const std::string& country) {
  static const std::map<std::string, int, std::less<>> digits{
      {"US", 5}, {"IN", 6}, {"BR", 8}, {"KE", 5}, {"DE", 5}, {"FR", 5}, {"ES", 5},
      {"MX", 5}, {"IT", 5}, {"PK", 5}, {"BD", 4}, {"ID", 5}, {"PH", 4}, {"NG", 6},
      {"ZA", 4}, {"RU", 6}, {"AU", 4}, {"TZ", 5}, {"UG", 0}, {"EG", 5}, {"TR", 5}};
  auto it = digits.find(country);
  return it == digits.end() ? -1 : it->second;
}

std::optional<std::string> ParseDate(std::string_view text, const std::string& country) {
  const std::string ascii = AsciiDigits(FoldForMatch(text));
  int a = 0, b = 0, c = 0;
  char s1 = 0, s2 = 0;
  if (std::sscanf(ascii.c_str(), "%d%c%d%c%d", &a, &s1, &b, &s2, &c) != 5) return std::nullopt;
  if (s1 != s2 || (s1 != '-' && s1 != '/' && s1 != '.')) return std::nullopt;
  int year = 0, month = 0, day = 0;
  if (a > 999) {
    year = a, month = b, day = c;
  } else if (country == "US") {
    month = a, day = b, year = c;
  } else {
    day = a, month = b, year = c;
  }
  if (year < 100) year += 2000;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || year > 9999) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
  return std::string(out);
}

bool LooksLikeEmail(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = text.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  return std::none_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == ','; });
}

// A choice's own words first, so choices whose values are numbers ("5", "10") are picked by
// what they say; then the number of its place in the list (1, 2, 3).
const Choice* MatchChoice(const Step& step, const std::string& folded) {
  const std::string digits = AsciiDigits(folded);
  for (const Choice& choice : step.choices) {
    if (FoldForMatch(choice.value) == folded || AsciiDigits(FoldForMatch(choice.value)) == digits) {
      return &choice;
    }
    for (const std::string& synonym : choice.synonyms) {
      if (FoldForMatch(synonym) == folded) return &choice;
    }
  }
  if (auto number = ParseNumber(folded)) {
    const double n = *number;
    if (n >= 1 && n <= static_cast<double>(step.choices.size()) &&
        n == static_cast<double>(static_cast<int>(n))) {
      return &step.choices[static_cast<std::size_t>(n) - 1];
    }
  }
  return nullptr;
}

const Choice* ChoiceFor(const Step& step, std::string_view value) {
  for (const Choice& c : step.choices) {
    if (c.value == value) return &c;
  }
  return nullptr;
}

}  // namespace

std::optional<bool> ParseYesNo(std::string_view folded, const std::string& language) {
  const auto& table = YesNoTable();
  for (const std::string& lang : {language, std::string("en")}) {
    auto it = table.find(lang);
    if (it == table.end()) continue;
    if (InList(it->second.yes, folded)) return true;
    if (InList(it->second.no, folded)) return false;
  }
  return std::nullopt;
}

std::optional<std::string> ParsePostalCode(std::string_view text, const std::string& country) {
  const std::string compact = Compact(AsciiDigits(FoldForMatch(text)));
  const int digits = DigitsFor(country);
  if (country == "US" && compact.size() == 9 && AllDigits(compact)) return compact.substr(0, 5);
  if (digits > 0) {
    if (static_cast<int>(compact.size()) == digits && AllDigits(compact)) return compact;
    return std::nullopt;
  }
  if (country == "GB" || country == "CA") {
    if (!IsUkOrCanadaShape(compact, country)) return std::nullopt;
    return compact.substr(0, compact.size() - 3) + " " + compact.substr(compact.size() - 3);
  }
  const bool plausible = compact.size() >= 3 && compact.size() <= 10 &&
                         std::all_of(compact.begin(), compact.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) != 0;
                         });
  if (!plausible) return std::nullopt;
  return compact;
}

std::optional<Answer> ParseAnswer(const Step& step, std::string_view text,
                                  const std::string& language, const std::string& country) {
  const std::string folded = FoldForMatch(text);
  if (folded.empty()) return std::nullopt;
  switch (step.answer) {
    case AnswerType::kText:
      return Answer{std::string(text), nullptr};
    case AnswerType::kChoice: {
      const Choice* choice = MatchChoice(step, folded);
      if (choice == nullptr) return std::nullopt;
      return Answer{choice->value, choice};
    }
    case AnswerType::kYesNo: {
      auto yes = ParseYesNo(folded, language);
      if (!yes) {
        if (folded == "1")
          yes = true;
        else if (folded == "2")
          yes = false;
        else
          return std::nullopt;
      }
      const std::string value = *yes ? "yes" : "no";
      return Answer{value, ChoiceFor(step, value)};
    }
    case AnswerType::kNumber: {
      auto number = ParseNumber(text);
      if (!number) return std::nullopt;
      if ((step.min && *number < *step.min) || (step.max && *number > *step.max)) {
        return std::nullopt;
      }
      return Answer{FormatNumber(*number), nullptr};
    }
    case AnswerType::kPostalCode: {
      auto code = ParsePostalCode(text, country);
      if (!code) return std::nullopt;
      return Answer{*code, nullptr};
    }
    case AnswerType::kDate: {
      auto date = ParseDate(text, country);
      if (!date) return std::nullopt;
      return Answer{*date, nullptr};
    }
    case AnswerType::kEmail: {
      if (!LooksLikeEmail(folded)) return std::nullopt;
      return Answer{folded, nullptr};
    }
  }
  return std::nullopt;
}

}  // namespace chorus::flows
