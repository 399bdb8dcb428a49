#include "compliance/compliance_words.hpp"

#include "core/text.hpp"

namespace chorus::compliance {
namespace {

struct BuiltInWord {
  Intent intent;
  std::string_view word;
  std::string_view language;
};

// Written as members type them; Add folds them, so accents, case and edge punctuation do not
// matter here. A word shared by two languages is listed once, under Spanish (PARAR, CANCELAR,
// INICIAR, also Portuguese): the match language only picks the confirmation's language, and
// Spanish has far more speakers where Chorus runs first. docs/COMPLIANCE.md explains each choice.
constexpr BuiltInWord kBuiltIn[] = {
    // English: Twilio's default opt-out keywords (docs/COMPLIANCE.md), the FCC's per-se revocations ("opt out",
    // 47 CFR 64.1200(a)(10)) and AWS's list (OPT-OUT, REMOVE). The fold keeps inner punctuation,
    // so the hyphenated and spaced forms are listed beside OPTOUT.
    {Intent::kOptOut, "STOP", "en"},
    {Intent::kOptOut, "UNSUBSCRIBE", "en"},
    {Intent::kOptOut, "CANCEL", "en"},
    {Intent::kOptOut, "END", "en"},
    {Intent::kOptOut, "QUIT", "en"},
    {Intent::kOptOut, "REVOKE", "en"},
    {Intent::kOptOut, "OPTOUT", "en"},
    {Intent::kOptOut, "OPT OUT", "en"},
    {Intent::kOptOut, "OPT-OUT", "en"},
    {Intent::kOptOut, "REMOVE", "en"},
    {Intent::kOptOutAll, "STOPALL", "en"},
    {Intent::kOptOutAll, "STOP ALL", "en"},
    {Intent::kOptIn, "START", "en"},
    {Intent::kOptIn, "UNSTOP", "en"},
    {Intent::kYes, "YES", "en"},
    {Intent::kHelp, "HELP", "en"},
    {Intent::kHelp, "INFO", "en"},
    // Spanish. ALTA is left out: it also means "high" and is a likely answer to a flow question.
    {Intent::kOptOut, "ALTO", "es"},
    {Intent::kOptOut, "PARAR", "es"},
    {Intent::kOptOut, "DETENER", "es"},
    {Intent::kOptOut, "CANCELAR", "es"},
    {Intent::kOptOut, "BAJA", "es"},
    {Intent::kOptOut, "DARSE DE BAJA", "es"},
    {Intent::kOptIn, "COMENZAR", "es"},
    {Intent::kOptIn, "INICIAR", "es"},
    {Intent::kYes, "SÍ", "es"},
    {Intent::kHelp, "AYUDA", "es"},
    // French. ARRÊTE (imperative) is what people type; Twilio Proxy also treats it as opt-out.
    {Intent::kOptOut, "ARRÊT", "fr"},
    {Intent::kOptOut, "ARRÊTE", "fr"},
    {Intent::kOptOut, "ARRÊTER", "fr"},
    {Intent::kOptOut, "DÉSABONNER", "fr"},
    {Intent::kOptOut, "DÉSINSCRIRE", "fr"},
    {Intent::kOptIn, "COMMENCER", "fr"},
    {Intent::kYes, "OUI", "fr"},
    {Intent::kHelp, "AIDE", "fr"},
    // Portuguese (PARAR, CANCELAR and INICIAR are under Spanish).
    {Intent::kOptOut, "SAIR", "pt"},
    {Intent::kOptOut, "DESCADASTRAR", "pt"},
    {Intent::kOptIn, "COMEÇAR", "pt"},
    {Intent::kYes, "SIM", "pt"},
    {Intent::kHelp, "AJUDA", "pt"},
    // Hindi in Devanagari; both spellings of "yes" (candrabindu and anusvara) are common.
    {Intent::kOptOut, "बंद", "hi"},
    {Intent::kOptOut, "रोको", "hi"},
    {Intent::kOptOut, "रुको", "hi"},
    {Intent::kOptIn, "शुरू", "hi"},
    {Intent::kYes, "हाँ", "hi"},
    {Intent::kYes, "हां", "hi"},
    {Intent::kHelp, "मदद", "hi"},
    {Intent::kHelp, "सहायता", "hi"},
    // Hindi romanised, as typed on phones without a Devanagari keyboard.
    {Intent::kOptOut, "BAND", "hi"},
    {Intent::kOptOut, "ROKO", "hi"},
    {Intent::kOptOut, "RUKO", "hi"},
    {Intent::kOptIn, "SHURU", "hi"},
    {Intent::kYes, "HAAN", "hi"},
    {Intent::kHelp, "MADAD", "hi"},
    {Intent::kHelp, "SAHAYATA", "hi"},
};

}  // namespace

ComplianceWords ComplianceWords::BuiltIn() {
  ComplianceWords words;
  for (const BuiltInWord& w : kBuiltIn) words.Add(w.intent, w.word, w.language);
  return words;
}

void ComplianceWords::Add(Intent intent, std::string_view word, std::string_view language) {
  std::string folded = FoldForMatch(word);
  // An empty key would make every blank message match.
  if (folded.empty()) return;
  // kNone takes a word out (an organization whose flow uses a built-in word); storing it would
  // return a language with kNone.
  if (intent == Intent::kNone) {
    words_.erase(folded);
    return;
  }
  words_.insert_or_assign(std::move(folded), Match{intent, std::string(language)});
}

Match ComplianceWords::Classify(std::string_view body) const {
  auto it = words_.find(FoldForMatch(body));
  return it == words_.end() ? Match{} : it->second;
}

std::string_view IntentName(Intent intent) {
  switch (intent) {
    case Intent::kNone:
      return "none";
    case Intent::kOptOut:
      return "opt_out";
    case Intent::kOptOutAll:
      return "opt_out_all";
    case Intent::kOptIn:
      return "opt_in";
    case Intent::kHelp:
      return "help";
    case Intent::kYes:
      return "yes";
  }
  return "none";
}

}  // namespace chorus::compliance
