#include "catalog/semantic_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/datetime.h"

namespace sluice::catalog {
namespace {

// ISO 3166-1 alpha-2 and alpha-3 (all 249 officially assigned) and ISO 4217 codes of
// currencies in use, each list sorted for binary search.
constexpr std::string_view kCountryAlpha2 =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";
constexpr std::string_view kCountryAlpha3 =
    "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA "
    "BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN "
    "CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU "
    "EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB "
    "GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL "
    "ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO "
    "LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR "
    "MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER "
    "PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM "
    "SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK "
    "TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM "
    "VUT WLF WSM YEM ZAF ZMB ZWE";
constexpr std::string_view kCurrencies =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
    "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND "
    "TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsLetter(char c) { return IsUpper(c) || IsLower(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

template <typename Predicate>
bool AllOf(std::string_view text, Predicate predicate) {
  return !text.empty() && std::all_of(text.begin(), text.end(), predicate);
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Finds a code in a sorted list of codes of `code.size()` letters separated by spaces.
bool InCodeList(std::string_view list, std::string_view code) {
  size_t stride = code.size() + 1;
  size_t low = 0;
  size_t high = (list.size() + 1) / stride;
  while (low < high) {
    size_t middle = (low + high) / 2;
    int order = list.substr(middle * stride, code.size()).compare(code);
    if (order == 0) return true;
    if (order < 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return false;
}

// Checks a host name: dot-separated labels of letters, digits and inner hyphens, ending in a
// top-level domain of letters.
bool IsHostName(std::string_view host) {
  if (host.size() > 253) return false;
  int labels = 0;
  std::string_view last;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    bool valid_chars = AllOf(label, [](char c) { return IsLetter(c) || IsDigit(c) || c == '-'; });
    if (!valid_chars || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2 && last.size() >= 2 && AllOf(last, IsLetter);
}

// Counts the hex groups of one side of an IPv6 address; the right side may end in IPv4.
bool CountIpv6Groups(std::string_view part, bool ipv4_tail, int* groups) {
  *groups = 0;
  if (part.empty()) return true;
  size_t start = 0;
  while (true) {
    size_t colon = part.find(':', start);
    std::string_view group =
        part.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos && ipv4_tail && IsIpv4(group)) {
      *groups += 2;
      return true;
    }
    if (group.size() > 4 || !AllOf(group, IsHex)) return false;
    ++*groups;
    if (colon == std::string_view::npos) return true;
    start = colon + 1;
  }
}

// Checks `D[D]/D[D]/YYYY` (or with '.' or '-') with an optional ` HH:MM[:SS]` and AM/PM,
// month and day in either order.
bool IsDayMonthYearText(std::string_view text) {
  int fields[3] = {0, 0, 0};
  size_t pos = 0;
  char separator = 0;
  for (int field = 0; field < 3; ++field) {
    size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos]) && pos - start < 5) {
      fields[field] = fields[field] * 10 + (text[pos++] - '0');
    }
    size_t digits = pos - start;
    if (field < 2) {
      if (digits < 1 || digits > 2 || pos >= text.size()) return false;
      if (field == 0) separator = text[pos];
      if (text[pos] != separator || (separator != '/' && separator != '.' && separator != '-')) {
        return false;
      }
      ++pos;
    } else if (digits != 4) {
      return false;
    }
  }
  int year = fields[2];
  if (!core::IsValidDate(year, fields[0], fields[1]) &&
      !core::IsValidDate(year, fields[1], fields[0])) {
    return false;
  }
  std::string_view rest = text.substr(pos);
  if (rest.empty()) return true;
  if (rest.front() != ' ') return false;
  rest.remove_prefix(1);
  size_t colon = rest.find(':');
  if (colon == 0 || colon > 2 || rest.size() < colon + 3) return false;
  if (!AllOf(rest.substr(0, colon), IsDigit) || !AllOf(rest.substr(colon + 1, 2), IsDigit)) {
    return false;
  }
  rest.remove_prefix(colon + 3);
  if (rest.size() >= 3 && rest[0] == ':' && AllOf(rest.substr(1, 2), IsDigit)) {
    rest.remove_prefix(3);
  }
  return rest.empty() || rest == " AM" || rest == " PM" || rest == " am" || rest == " pm";
}

// Returns 1-12 for an English month name or its three-letter abbreviation ("Jan", "june").
int MonthFromName(std::string_view word) {
  static constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
                                                 "may",       "june",     "july",     "august",
                                                 "september", "october",  "november", "december"};
  if (word.size() < 3) return 0;
  std::string lower(word);
  for (char& c : lower) {
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  for (int month = 0; month < 12; ++month) {
    std::string_view name = kMonths[month];
    if (lower == name || (lower.size() == 3 && name.starts_with(lower))) return month + 1;
  }
  return 0;
}

// Checks `Jan 1 2000`, `January 5, 2024`, `5 Jan 2024`, `05-Jan-2024`.
bool IsMonthNameDate(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start <= text.size() && words.size() <= 3) {
    size_t end = std::min(text.find_first_of(" ,-", start), text.size());
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (words.size() != 3 || words[2].size() != 4 || !AllOf(words[2], IsDigit)) return false;
  int month = MonthFromName(words[0]);
  std::string_view day = words[1];
  if (month == 0) {
    month = MonthFromName(words[1]);
    day = words[0];
  }
  if (month == 0 || day.size() > 2 || !AllOf(day, IsDigit)) return false;
  int year = (words[2][0] - '0') * 1000 + (words[2][1] - '0') * 100 + (words[2][2] - '0') * 10 +
             (words[2][3] - '0');
  int day_number = day.size() == 1 ? day[0] - '0' : (day[0] - '0') * 10 + (day[1] - '0');
  return core::IsValidDate(year, month, day_number);
}

bool IsUkPostcode(std::string_view text) {
  std::string_view outward = text.substr(0, text.size() < 3 ? 0 : text.size() - 3);
  std::string_view inward = text.substr(outward.size());
  if (!outward.empty() && outward.back() == ' ') outward.remove_suffix(1);
  if (inward.size() != 3 || !IsDigit(inward[0]) || !IsUpper(inward[1]) || !IsUpper(inward[2])) {
    return false;
  }
  // Outward codes: A9, A99, AA9, AA99, A9A, AA9A.
  size_t letters = 0;
  while (letters < outward.size() && IsUpper(outward[letters])) ++letters;
  std::string_view district = outward.substr(letters);
  if (letters < 1 || letters > 2 || district.empty() || district.size() > 2) return false;
  return IsDigit(district[0]) &&
         (district.size() == 1 || IsDigit(district[1]) || IsUpper(district[1]));
}

// Checks `A9A 9A9`, the space optional.
bool IsCanadianPostalCode(std::string_view text) {
  size_t skip = text.size() == 7 && text[3] == ' ' ? 1 : 0;
  if (text.size() != 6 + skip) return false;
  auto at = [&](size_t i) { return text[i < 3 ? i : i + skip]; };
  return IsUpper(at(0)) && IsDigit(at(1)) && IsUpper(at(2)) && IsDigit(at(3)) && IsUpper(at(4)) &&
         IsDigit(at(5));
}

// Checks digits with optional thousands separators and decimals ("1,234.50", "3,99").
bool IsAmount(std::string_view text) {
  if (text.empty() || !IsDigit(text.front()) || !IsDigit(text.back())) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool separator = text[i] == ',' || text[i] == '.';
    if (!IsDigit(text[i]) && !separator) return false;
    if (separator && !IsDigit(text[i + 1])) return false;
  }
  return true;
}

bool IsBarePhone(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  return text.size() >= 10 && text.size() <= 15 && AllOf(text, IsDigit);
}

bool IsBooleanWord(std::string_view text) {
  static constexpr std::string_view kWords[] = {"yes", "no", "y", "n", "true", "false",
                                                "t",   "f",  "0", "1", "on",   "off"};
  if (text.size() > 5) return false;
  std::string lower(text);
  for (char& c : lower) {
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return std::find(std::begin(kWords), std::end(kWords), lower) != std::end(kWords);
}

bool IsKeyLike(std::string_view text) {
  return text.size() <= 40 && AllOf(text, [](char c) { return c > ' '; });
}

bool IsCodeValue(std::string_view text) {
  return text.size() >= 2 && text.size() <= 12 &&
         AllOf(text, [](char c) { return IsUpper(c) || IsDigit(c) || c == '-' || c == '_'; }) &&
         std::any_of(text.begin(), text.end(), IsUpper);
}

bool HasSpace(std::string_view text) { return text.find(' ') != std::string_view::npos; }

bool IsNumber(std::string_view text) { return ParseNumber(text).has_value(); }

bool IsZeroPadded(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return text.size() >= 2 && text[0] == '0' && IsDigit(text[1]);
}

bool HasMinimumRows(const ColumnFacts& facts) { return facts.profile.non_null >= 3; }

bool HasZeroPaddedValues(const ColumnFacts& facts) {
  return std::any_of(facts.values.begin(), facts.values.end(), IsZeroPadded);
}

bool IsUnique(const ColumnFacts& facts) {
  return HasMinimumRows(facts) && facts.unique_share >= 0.99 && facts.profile.null_fraction <= 0.01;
}

// Unique text that is not numbers (those go by their name or their density), unless the
// numbers are zero-padded and so really codes.
bool IsUniqueText(const ColumnFacts& facts) {
  return IsUnique(facts) && (!(facts.kinds & kKindNumeric) || HasZeroPaddedValues(facts));
}

// Unique integers that fill most of their range, as row numbers and surrogate keys do.
bool IsUniqueDenseIntegers(const ColumnFacts& facts) {
  const ColumnProfile& profile = facts.profile;
  if (!IsUnique(facts) || !profile.min || !profile.max) return false;
  std::optional<double> min = ParseNumber(*profile.min);
  std::optional<double> max = ParseNumber(*profile.max);
  return min && max && *max - *min + 1 <= 1.5 * profile.distinct;
}

bool IsRepeated(const ColumnFacts& facts) {
  return HasMinimumRows(facts) && facts.profile.distinct <= 0.5 * facts.profile.non_null;
}

// Repeated codes of one length ("SFO", "NY") or with digits ("B737"); codes of varying length
// made of letters only are more likely category words ("ACTIVE", "PENDING").
bool IsRepeatedCode(const ColumnFacts& facts) {
  if (!IsRepeated(facts)) return false;
  if (facts.max_length - facts.min_length <= 1) return true;
  auto has_digit = [](std::string_view text) {
    return std::any_of(text.begin(), text.end(), IsDigit);
  };
  auto with_digits = std::count_if(facts.values.begin(), facts.values.end(), has_digit);
  return with_digits * 2 >= static_cast<int64_t>(facts.values.size());
}

bool IsFewDistinct(const ColumnFacts& facts) {
  double distinct = facts.profile.distinct;
  double non_null = static_cast<double>(facts.profile.non_null);
  return HasMinimumRows(facts) &&
         ((distinct <= 50 && distinct <= 0.5 * non_null) || distinct <= 0.05 * non_null);
}

bool IsVariedLongText(const ColumnFacts& facts) {
  return facts.mean_length >= 20 && facts.unique_share >= 0.5;
}

// Two distinct values, both boolean words: the top values hold them all, while the sample may
// have missed a rare one ("0" and "5000" are no flags).
bool HasTwoBooleanValues(const ColumnFacts& facts) {
  long distinct = std::lround(facts.profile.distinct);
  if (facts.profile.type == core::TypeId::kBoolean) return distinct >= 1 && distinct <= 2;
  const std::vector<ValueCount>& top = facts.profile.top_values;
  return distinct == 2 && std::all_of(top.begin(), top.end(), [](const ValueCount& value) {
           return IsBooleanWord(value.value);
         });
}

bool IsNotZeroPadded(const ColumnFacts& facts) { return !HasZeroPaddedValues(facts); }

constexpr std::string_view kKeyWords = "id key code pk uuid guid iata icao sku isbn number num no";
constexpr std::string_view kPhoneWords = "phone tel telephone mobile cell fax msisdn phonenumber";
constexpr std::string_view kMoneyWords =
    "price amount cost revenue salary fee fees usd eur gbp dollar dollars euro euros income wage "
    "wages payment balance spend sales tax fare budget profit gross cash";
constexpr std::string_view kPostalWords = "zip zipcode postal postcode postalcode plz";
constexpr std::string_view kNotKeyWords = "zip zipcode postal postcode postalcode phone tel mobile";
constexpr std::string_view kPersonNameHints =
    "first+name last+name full+name given+name family+name middle+name maiden+name "
    "customer+name person+name contact+name employee+name patient+name client+name "
    "owner+name author+name candidate+name student+name driver+name passenger+name "
    "player+name member+name surname forename firstname lastname fullname givenname fname lname";
constexpr std::string_view kNotPersonWords =
    "city town village airport port station product company brand file host domain street "
    "country state place store shop team event table column org organization business item "
    "category project account server device app application";

// The rule table, most specific first. Confidences: a value pattern that ~all values match,
// alone or with a name the rule requires, 0.8-0.95; shapes of the whole column 0.6-0.85; the
// winner is the highest (see semantics.cc for how name and share of matching values combine).
// clang-format off
constexpr SemanticRule kRules[] = {
    {.type = SemanticType::kEmail, .kinds = kKindText, .name_hints = "email mail",
     .value_check = IsEmail, .confidence = 0.95, .pii = "email address"},
    {.type = SemanticType::kUrl, .kinds = kKindText,
     .name_hints = "url uri link website homepage href web site",
     .value_check = IsUrl, .confidence = 0.95},
    {.type = SemanticType::kUuid, .kinds = kKindText, .name_hints = "uuid guid",
     .value_check = IsUuid, .confidence = 0.95},
    {.type = SemanticType::kIpv4, .kinds = kKindText, .name_hints = "ip ipv4 ipaddress host",
     .value_check = IsIpv4, .confidence = 0.95, .pii = "IP address"},
    {.type = SemanticType::kIpv6, .kinds = kKindText, .name_hints = "ip ipv6 ipaddress host",
     .value_check = IsIpv6, .confidence = 0.95, .pii = "IP address"},
    {.type = SemanticType::kPhone, .kinds = kKindText, .name_hints = kPhoneWords,
     .value_check = IsFormattedPhone, .confidence = 0.85, .pii = "phone number"},
    {.type = SemanticType::kPhone, .kinds = kKindText | kKindInteger, .name_hints = kPhoneWords,
     .name_use = NameUse::kRequired,
     .value_check = IsBarePhone, .confidence = 0.8, .pii = "phone number"},
    {.type = SemanticType::kPostalCode, .kinds = kKindText | kKindInteger,
     .name_hints = kPostalWords, .name_use = NameUse::kRequired,
     .value_check = IsPostalCode, .confidence = 0.9},
    {.type = SemanticType::kBirthDate, .kinds = kKindText | kKindTemporal,
     .name_hints = "birth dob birthday birthdate born", .name_use = NameUse::kRequired,
     .value_check = IsDateTimeText, .confidence = 0.95, .pii = "birth date"},
    {.type = SemanticType::kDateTimeText, .kinds = kKindText,
     .name_hints = "date time timestamp datetime day created updated modified at dt ts when",
     .value_check = IsDateTimeText, .confidence = 0.9},
    {.type = SemanticType::kCountryCode, .kinds = kKindText, .name_hints = "country nation iso cc",
     .avoid_words = "state province region county language lang locale currency",
     .value_check = IsCountryCode, .confidence = 0.85},
    {.type = SemanticType::kCurrencyCode, .kinds = kKindText, .name_hints = "currency ccy cur curr",
     .value_check = IsCurrencyCode, .confidence = 0.85},
    {.type = SemanticType::kLatitude, .kinds = kKindNumeric,
     .name_hints = "lat latitude", .name_use = NameUse::kRequired,
     .value_check = IsNumber, .range = {-90, 90}, .confidence = 0.9},
    {.type = SemanticType::kLongitude, .kinds = kKindNumeric,
     .name_hints = "lon lng long longitude", .name_use = NameUse::kRequired,
     .value_check = IsNumber, .range = {-180, 180}, .confidence = 0.9},
    {.type = SemanticType::kMoney, .kinds = kKindNumeric,
     .name_hints = kMoneyWords, .name_use = NameUse::kRequired,
     .avoid_words = "id key code count qty quantity",
     .value_check = IsNumber, .confidence = 0.85},
    {.type = SemanticType::kMoney, .kinds = kKindText,
     .value_check = IsMoneyText, .confidence = 0.85},
    {.type = SemanticType::kPersonName, .kinds = kKindText,
     .name_hints = kPersonNameHints, .name_use = NameUse::kRequired, .avoid_words = kNotPersonWords,
     .value_check = IsPersonNameText, .confidence = 0.85, .pii = "person name"},
    {.type = SemanticType::kBooleanLike, .kinds = kKindText | kKindInteger | kKindBoolean,
     .name_hints = "is has flag active enabled valid",
     .value_check = IsBooleanWord, .min_share = 0.98, .column_check = HasTwoBooleanValues,
     .confidence = 0.9},
    {.type = SemanticType::kIdentifier, .kinds = kKindText | kKindInteger,
     .name_hints = kKeyWords, .name_use = NameUse::kRequired, .avoid_words = kNotKeyWords,
     .value_check = IsKeyLike, .column_check = IsUnique, .confidence = 0.85},
    {.type = SemanticType::kIdentifier, .kinds = kKindText, .avoid_words = kNotKeyWords,
     .value_check = IsKeyLike, .column_check = IsUniqueText, .confidence = 0.75},
    {.type = SemanticType::kIdentifier, .kinds = kKindInteger, .avoid_words = kNotKeyWords,
     .column_check = IsUniqueDenseIntegers, .confidence = 0.7},
    {.type = SemanticType::kForeignKeyCode, .kinds = kKindText,
     .value_check = IsCodeValue, .column_check = IsRepeatedCode, .confidence = 0.75},
    {.type = SemanticType::kForeignKeyCode, .kinds = kKindText | kKindInteger,
     .name_hints = "id key code ref fk iata icao", .name_use = NameUse::kRequired,
     .avoid_words = kNotKeyWords,
     .value_check = IsKeyLike, .column_check = IsRepeated, .confidence = 0.65},
    {.type = SemanticType::kCategorical, .kinds = kKindText,
     .column_check = IsFewDistinct, .confidence = 0.6},
    {.type = SemanticType::kFreeText, .kinds = kKindText,
     .value_check = HasSpace, .min_share = 0.5, .column_check = IsVariedLongText,
     .confidence = 0.7},
    {.type = SemanticType::kMeasure, .kinds = kKindNumeric,
     .avoid_words = "id key code pk fk uuid guid zip zipcode postal postcode phone tel",
     .value_check = IsNumber, .column_check = IsNotZeroPadded, .confidence = 0.6},
};
// clang-format on

constexpr PiiNameRule kPiiNameRules[] = {
    {.name_hints = "address addr street",
     .avoid_words = "ip ipv4 ipv6 email mail web url mac wallet type kind count id",
     .kinds = kKindText,
     .reason = "street address"},
};

}  // namespace

std::span<const SemanticRule> SemanticRules() { return kRules; }

std::span<const PiiNameRule> PiiNameRules() { return kPiiNameRules; }

bool MatchesHints(const std::vector<std::string>& words, std::string_view hints) {
  auto has_word = [&](std::string_view word) {
    return std::find(words.begin(), words.end(), word) != words.end();
  };
  size_t start = 0;
  while (start < hints.size()) {
    size_t end = std::min(hints.find(' ', start), hints.size());
    std::string_view alternative = hints.substr(start, end - start);
    bool all = !alternative.empty();
    size_t word_start = 0;
    while (all && word_start <= alternative.size()) {
      size_t plus = std::min(alternative.find('+', word_start), alternative.size());
      all = has_word(alternative.substr(word_start, plus - word_start));
      word_start = plus + 1;
    }
    if (all) return true;
    start = end + 1;
  }
  return false;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(number)) {
    return std::nullopt;
  }
  return number;
}

bool IsEmail(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  auto local_char = [](char c) {
    return IsLetter(c) || IsDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
           c == '\'';
  };
  return AllOf(text.substr(0, at), local_char) && IsHostName(text.substr(at + 1));
}

bool IsUrl(std::string_view text) {
  std::string_view rest;
  for (std::string_view scheme : {"http://", "https://", "ftp://"}) {
    if (StartsWithNoCase(text, scheme)) rest = text.substr(scheme.size());
  }
  if (rest.empty() && StartsWithNoCase(text, "www.")) rest = text;
  if (rest.empty()) return false;
  std::string_view host = rest.substr(0, rest.find_first_of("/?#:"));
  if (!IsHostName(host) && !IsIpv4(host) && host != "localhost") return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c > ' '; });
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

bool IsIpv4(std::string_view text) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.size() > 3 || !AllOf(part, IsDigit)) return false;
    int number = 0;
    for (char c : part) number = number * 10 + (c - '0');
    if (number > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return false;
  size_t gap = text.find("::");
  int head = 0;
  int tail = 0;
  if (gap == std::string_view::npos) return CountIpv6Groups(text, true, &head) && head == 8;
  if (text.find("::", gap + 1) != std::string_view::npos) return false;
  return CountIpv6Groups(text.substr(0, gap), false, &head) &&
         CountIpv6Groups(text.substr(gap + 2), true, &tail) && head + tail <= 7;
}

// Accepts "+1 415 555 0100", "+14155550100", "(415) 555-0100", "415-555-0100",
// "020 7946 0958": an international number, an area code in parentheses, or at least three
// groups; 10-15 digits (8-15 after '+'); never a date, an IPv4 address or a ZIP+4 code.
bool IsFormattedPhone(std::string_view text) {
  if (text.size() < 7 || text.size() > 25 || IsIpv4(text) || IsDateTimeText(text)) return false;
  bool plus = text.front() == '+';
  int digits = 0;
  int groups = 0;
  int group = 0;
  bool parentheses = false;
  bool open = false;
  for (size_t i = plus ? 1 : 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      ++digits;
      ++group;
      continue;
    }
    if (group > 0) ++groups;
    group = 0;
    if (c == '(' && !parentheses) {
      parentheses = open = true;
    } else if (c == ')' && open) {
      open = false;
    } else if (c != ' ' && c != '-' && c != '.') {
      return false;
    }
  }
  if (open || group < 3) return false;
  ++groups;
  if (plus) return digits >= 8 && digits <= 15;
  return digits >= 10 && digits <= 15 && (parentheses || groups >= 3);
}

// Accepts US ZIP and ZIP+4, other all-digit codes of 4 to 6 digits, UK and Canadian codes.
bool IsPostalCode(std::string_view text) {
  if (text.size() >= 4 && text.size() <= 6 && AllOf(text, IsDigit)) return true;
  if (text.size() == 10 && text[5] == '-' && AllOf(text.substr(0, 5), IsDigit) &&
      AllOf(text.substr(6), IsDigit)) {
    return true;
  }
  return IsUkPostcode(text) || IsCanadianPostalCode(text);
}

bool IsCountryCode(std::string_view text) {
  if (!AllOf(text, IsUpper)) return false;
  if (text.size() == 2) return InCodeList(kCountryAlpha2, text);
  return text.size() == 3 && InCodeList(kCountryAlpha3, text);
}

bool IsCurrencyCode(std::string_view text) {
  return text.size() == 3 && AllOf(text, IsUpper) && InCodeList(kCurrencies, text);
}

bool IsDateTimeText(std::string_view text) {
  if (text.size() < 8 || text.size() > 40) return false;
  return core::ParseTimestamp(text).has_value() || IsDayMonthYearText(text) ||
         IsMonthNameDate(text);
}

// Accepts an amount with a currency symbol or ISO 4217 code before or after it: "$12.50",
// "-€3,99", "12.50 USD", "USD 1,200".
bool IsMoneyText(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  bool marked = false;
  for (std::string_view symbol : {"US$", "$", "\u20ac", "\u00a3", "\u00a5", "\u20b9"}) {
    if (!marked && text.starts_with(symbol)) {
      text.remove_prefix(symbol.size());
      marked = true;
    }
    if (!marked && text.ends_with(symbol)) {
      text.remove_suffix(symbol.size());
      marked = true;
    }
  }
  if (!marked && text.size() > 4 && text[3] == ' ' && IsCurrencyCode(text.substr(0, 3))) {
    text.remove_prefix(4);
    marked = true;
  }
  if (!marked && text.size() > 4 && text[text.size() - 4] == ' ' &&
      IsCurrencyCode(text.substr(text.size() - 3))) {
    text.remove_suffix(4);
    marked = true;
  }
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return marked && IsAmount(text);
}

// Accepts one to five words of letters (any script), hyphens, apostrophes, periods and commas.
bool IsPersonNameText(std::string_view text) {
  if (text.empty() || text.size() > 60 || !(IsLetter(text[0]) || IsNonAscii(text[0]))) {
    return false;
  }
  int words = 1;
  for (char c : text) {
    if (c == ' ') {
      ++words;
    } else if (!IsLetter(c) && !IsNonAscii(c) && c != '-' && c != '\'' && c != '.' && c != ',') {
      return false;
    }
  }
  return words <= 5;
}

}  // namespace sluice::catalog
