#include "compliance/compliance_words.hpp"

#include "core/text.hpp"

namespace chorus::compliance {
namespace {

struct BuiltInWord {
  Intent intent;
  std::string_view word;
  std::string_view language;
};

// Written as members type them; Add folds them, so case, Latin/Cyrillic accents, Arabic harakat
// and hamza marks, tatweel and edge punctuation do not matter here, but the vowel signs of
// Devanagari, Bengali and Tamil do. A folded word has one meaning and one language: a word shared
// by two languages is listed once, under the language chosen in docs/COMPLIANCE.md (PARAR,
// CANCELAR, INICIAR: Spanish; romanised BAND, ROKO, SHURU, MADAD...: Hindi; Arabic-script بند
// and مدد: Urdu). The language only picks the confirmation's language and the member's language
// (English words set none). A word is listed only when, as a whole message, it can hardly mean
// anything else: words that are also an ordinary answer to a flow question (NEIN, BATAL, ACHA,
// "أبدًا"...) are left out, each with its reason in docs/COMPLIANCE.md.
constexpr BuiltInWord kBuiltIn[] = {
    // English: Twilio's default opt-out keywords (docs/COMPLIANCE.md), the FCC's per-se
    // revocations ("opt out", 47 CFR 64.1200(a)(10)) and AWS's list (OPT-OUT, REMOVE). The fold
    // keeps inner punctuation, so the hyphenated and spaced forms are listed beside OPTOUT.
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
    // Hindi romanised, as typed on phones without a Devanagari keyboard. Romanised Urdu is the
    // same words (band, roko, ruko, shuru, haan, madad), so they stay here, once. ACHA is not a
    // word of either list: it is how Hindi and Urdu speakers text "OK" (and why Swahili ACHA,
    // "stop", is left out).
    {Intent::kOptOut, "BAND", "hi"},
    {Intent::kOptOut, "ROKO", "hi"},
    {Intent::kOptOut, "RUKO", "hi"},
    {Intent::kOptIn, "SHURU", "hi"},
    {Intent::kYes, "HAAN", "hi"},
    {Intent::kHelp, "MADAD", "hi"},
    {Intent::kHelp, "SAHAYATA", "hi"},
    // German. STOPP is the German spelling of STOP; ENDE is END. NEIN is a flow answer, not a
    // STOP; ANMELDEN (also "register for an event") is left out of opt-in for the same reason.
    {Intent::kOptOut, "STOPP", "de"},
    {Intent::kOptOut, "STOPPEN", "de"},
    {Intent::kOptOut, "ABMELDEN", "de"},
    {Intent::kOptOut, "ABBESTELLEN", "de"},
    {Intent::kOptOut, "AUFHÖREN", "de"},
    {Intent::kOptOut, "AUFHOEREN", "de"},  // ö written "oe" on keyboards without umlauts
    {Intent::kOptOut, "BEENDEN", "de"},
    {Intent::kOptOut, "ENDE", "de"},
    {Intent::kOptIn, "STARTEN", "de"},
    {Intent::kYes, "JA", "de"},
    {Intent::kHelp, "HILFE", "de"},
    // Russian, in Cyrillic (the fold turns Ё into Е and Й into И on both sides). Also what
    // Ukrainian, Bulgarian and Serbian speakers type for СТОП; it answers in Russian. ХВАТИТ
    // ("enough") and ОТМЕНА ("cancel that") are also ordinary answers and are left out, as is
    // ПОДПИСАТЬСЯ, which also means signing a petition.
    {Intent::kOptOut, "СТОП", "ru"},
    {Intent::kOptOut, "ОТПИСАТЬСЯ", "ru"},
    {Intent::kOptOut, "ОТПИСКА", "ru"},
    {Intent::kOptOut, "ОТПИШИТЕ", "ru"},
    {Intent::kOptOut, "ПРЕКРАТИТЬ", "ru"},
    {Intent::kOptOut, "ПРЕКРАТИТЕ", "ru"},
    {Intent::kOptIn, "СТАРТ", "ru"},
    {Intent::kOptIn, "НАЧАТЬ", "ru"},
    {Intent::kOptIn, "ВОЗОБНОВИТЬ", "ru"},
    {Intent::kYes, "ДА", "ru"},
    {Intent::kHelp, "ПОМОЩЬ", "ru"},
    {Intent::kHelp, "СПРАВКА", "ru"},
    // Indonesian (also Malay for BERHENTI; it answers in Indonesian). BATAL ("called off") is an
    // RSVP answer and UNREG means the opposite in Pakistan's do-not-call register, so both are
    // left out.
    {Intent::kOptOut, "BERHENTI", "id"},
    {Intent::kOptOut, "HENTIKAN", "id"},
    {Intent::kOptOut, "BERHENTI BERLANGGANAN", "id"},
    {Intent::kOptIn, "MULAI", "id"},
    {Intent::kOptIn, "BERLANGGANAN", "id"},
    {Intent::kYes, "YA", "id"},
    {Intent::kYes, "IYA", "id"},
    {Intent::kHelp, "BANTUAN", "id"},
    {Intent::kHelp, "TOLONG", "id"},
    // Tagalog / Filipino. Filipinos mostly type the English words; these are the Tagalog verbs
    // for "stop". HINDI is Tagalog for "no" and must stay ordinary text; TAMA NA ("enough", also
    // "that's right now") and PARA (also Spanish and Portuguese "for") are left out.
    {Intent::kOptOut, "TIGIL", "tl"},
    {Intent::kOptOut, "ITIGIL", "tl"},
    {Intent::kOptOut, "HINTO", "tl"},
    {Intent::kOptIn, "SIMULA", "tl"},
    {Intent::kYes, "OO", "tl"},
    {Intent::kYes, "OPO", "tl"},
    {Intent::kHelp, "TULONG", "tl"},
    // Swahili. ACHA ("stop", "leave off") is left out: see romanised Hindi above. NIONDOE is
    // "remove me"; ONDOKA "go away".
    {Intent::kOptOut, "SITISHA", "sw"},
    {Intent::kOptOut, "SIMAMISHA", "sw"},
    {Intent::kOptOut, "KOMESHA", "sw"},
    {Intent::kOptOut, "NIONDOE", "sw"},
    {Intent::kOptOut, "ONDOKA", "sw"},
    {Intent::kOptIn, "ANZA", "sw"},
    {Intent::kOptIn, "ANZISHA", "sw"},
    {Intent::kYes, "NDIYO", "sw"},
    {Intent::kYes, "NDIO", "sw"},
    {Intent::kHelp, "MSAADA", "sw"},
    {Intent::kHelp, "SAIDIA", "sw"},
    // Arabic, written with hamza where the dictionary has it; the fold removes hamza marks and
    // harakat, so "الغاء" and "إِلْغَاء" match too. "ابدأ" (start) is left out: it folds to the
    // same letters as "أبدًا", "never". "بند" and "مدد" are Urdu (below).
    {Intent::kOptOut, "توقف", "ar"},
    {Intent::kOptOut, "أوقف", "ar"},
    {Intent::kOptOut, "إيقاف", "ar"},
    {Intent::kOptOut, "قف", "ar"},
    {Intent::kOptOut, "إلغاء", "ar"},
    {Intent::kOptOut, "إلغاء الاشتراك", "ar"},
    {Intent::kOptIn, "اشتراك", "ar"},
    {Intent::kOptIn, "استئناف", "ar"},
    {Intent::kYes, "نعم", "ar"},
    {Intent::kHelp, "مساعدة", "ar"},
    {Intent::kHelp, "مساعده", "ar"},  // teh marbuta typed as heh, as on many phones
    // Urdu in Urdu script, with the letters an Urdu keyboard types (ک U+06A9, ہ U+06C1, ی U+06CC;
    // the fold does not merge them with Arabic ك ه ي). "بند" (Arabic "clause") and "مدد" (Arabic
    // "supply") only mean stop and help in Urdu, so they are Urdu. "رکو" is listed like Hindi
    // रुको.
    {Intent::kOptOut, "بند", "ur"},
    {Intent::kOptOut, "بند کرو", "ur"},
    {Intent::kOptOut, "بند کریں", "ur"},
    {Intent::kOptOut, "روکو", "ur"},
    {Intent::kOptOut, "رکو", "ur"},
    {Intent::kOptIn, "شروع", "ur"},
    {Intent::kYes, "ہاں", "ur"},
    {Intent::kYes, "جی ہاں", "ur"},
    {Intent::kHelp, "مدد", "ur"},
    // Bengali; BONDHO is the romanised বন্ধ common in Bangladesh. বন্ধু ("friend") differs only by
    // a vowel sign, which the fold keeps. Romanised SHURU is Hindi (above).
    {Intent::kOptOut, "বন্ধ", "bn"},
    {Intent::kOptOut, "বন্ধ করো", "bn"},
    {Intent::kOptOut, "বন্ধ করুন", "bn"},
    {Intent::kOptOut, "থামো", "bn"},
    {Intent::kOptOut, "থামুন", "bn"},
    {Intent::kOptOut, "BONDHO", "bn"},
    {Intent::kOptIn, "শুরু", "bn"},
    {Intent::kYes, "হ্যাঁ", "bn"},
    {Intent::kYes, "হ্যা", "bn"},  // without the candrabindu, as often typed
    {Intent::kHelp, "সাহায্য", "bn"},
    // Tamil, and its common romanisations. நிறுத்தம் ("a bus stop") is a noun, not a request.
    {Intent::kOptOut, "நிறுத்து", "ta"},
    {Intent::kOptOut, "நிறுத்தவும்", "ta"},
    {Intent::kOptOut, "நிறுத்துங்கள்", "ta"},
    {Intent::kOptOut, "NIRUTHU", "ta"},
    {Intent::kOptIn, "தொடங்கு", "ta"},
    {Intent::kOptIn, "தொடங்கவும்", "ta"},
    {Intent::kYes, "ஆம்", "ta"},
    {Intent::kYes, "ஆமாம்", "ta"},
    {Intent::kHelp, "உதவி", "ta"},
    {Intent::kHelp, "UDHAVI", "ta"},
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
