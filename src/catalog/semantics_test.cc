#include "catalog/semantics.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/semantic_rules.h"
#include "core/datetime.h"

namespace sluice::catalog {
namespace {

using core::TypeId;

bool ParsesAsInteger(const std::string& text) {
  int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

bool ParsesAsDouble(const std::string& text) {
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// Returns what the profiler would infer for VARCHAR values that all parse alike.
TypeId InferTextType(const std::vector<std::string>& values) {
  auto all = [&](auto predicate) {
    return !values.empty() && std::all_of(values.begin(), values.end(), predicate);
  };
  if (all(ParsesAsInteger)) return TypeId::kBigint;
  if (all(ParsesAsDouble)) return TypeId::kDouble;
  if (all([](const std::string& v) { return core::ParseDate(v).has_value(); })) {
    return TypeId::kDate;
  }
  if (all([](const std::string& v) { return core::ParseTimestamp(v).has_value(); })) {
    return TypeId::kTimestamp;
  }
  if (all([](const std::string& v) { return v == "true" || v == "false"; })) {
    return TypeId::kBoolean;
  }
  return TypeId::kVarchar;
}

int64_t CodePoints(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

// Builds the profile the profiler would compute for `values` (all sampled) and `nulls` NULLs.
ColumnProfile MakeProfile(std::string name, TypeId type, std::vector<std::string> values,
                          int64_t nulls = 0) {
  ColumnProfile profile;
  profile.name = std::move(name);
  profile.type = type;
  profile.non_null = static_cast<int64_t>(values.size());
  profile.rows = profile.non_null + nulls;
  profile.null_fraction = profile.rows == 0 ? 0 : static_cast<double>(nulls) / profile.rows;
  std::map<std::string, int64_t> counts;
  for (const std::string& value : values) ++counts[value];
  profile.distinct = static_cast<double>(counts.size());
  for (const auto& [value, count] : counts) profile.top_values.push_back({value, count});
  std::stable_sort(profile.top_values.begin(), profile.top_values.end(),
                   [](const ValueCount& a, const ValueCount& b) { return a.count > b.count; });
  if (profile.top_values.size() > 10) profile.top_values.resize(10);
  profile.sample = values;
  profile.inferred_type = type == TypeId::kVarchar ? InferTextType(values) : type;
  if (values.empty()) return profile;
  if (core::IsNumeric(type)) {
    auto by_number = [](const std::string& a, const std::string& b) {
      return std::stod(a) < std::stod(b);
    };
    auto [min, max] = std::minmax_element(values.begin(), values.end(), by_number);
    profile.min = *min;
    profile.max = *max;
    double total = 0;
    for (const std::string& value : values) total += std::stod(value);
    profile.mean = total / static_cast<double>(values.size());
  } else {
    auto [min, max] = std::minmax_element(values.begin(), values.end());
    profile.min = *min;
    profile.max = *max;
  }
  if (type == TypeId::kVarchar) {
    auto by_length = [](const std::string& a, const std::string& b) {
      return CodePoints(a) < CodePoints(b);
    };
    auto [shortest, longest] = std::minmax_element(values.begin(), values.end(), by_length);
    profile.min_length = CodePoints(*shortest);
    profile.max_length = CodePoints(*longest);
    double total = 0;
    for (const std::string& value : values) total += static_cast<double>(CodePoints(value));
    profile.mean_length = total / static_cast<double>(values.size());
  }
  return profile;
}

// Returns `count` values cycling through `pool`.
std::vector<std::string> Cycle(const std::vector<std::string>& pool, size_t count) {
  std::vector<std::string> values;
  for (size_t i = 0; i < count; ++i) values.push_back(pool[i % pool.size()]);
  return values;
}

// Returns distinct upper-case codes of three letters ("AAB", "AAC", ...).
std::vector<std::string> ThreeLetterCodes(size_t count, size_t start = 1) {
  std::vector<std::string> codes;
  for (size_t i = start; codes.size() < count; ++i) {
    codes.push_back({static_cast<char>('A' + i / 676 % 26), static_cast<char>('A' + i / 26 % 26),
                     static_cast<char>('A' + i % 26)});
  }
  return codes;
}

std::vector<std::string> Numbers(int64_t first, int64_t count, int64_t step = 1) {
  std::vector<std::string> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(std::to_string(first + i * step));
  return values;
}

ColumnSemantics Infer(const ColumnProfile& profile) { return InferSemantics({profile})[0]; }

std::string_view TypeOf(const ColumnProfile& profile) {
  return SemanticTypeName(Infer(profile).type);
}

const std::vector<std::string> kEmails = {"alice@example.com",      "bob.smith@mail.co.uk",
                                          "carol+news@example.org", "dave_99@sub.domain.io",
                                          "erin@example.net",       "frank.o'neil@example.com",
                                          "grace@uni.edu",          "heidi@company.de",
                                          "ivan@example.fr",        "judy@example.com"};

const std::vector<std::string> kCities = {"Boston",  "Chicago",  "Denver",  "Austin",
                                          "Seattle", "Portland", "Atlanta", "Houston"};

TEST(SemanticsTest, EveryTypeHasADistinctName) {
  std::set<std::string_view> names;
  for (int type = 0; type <= static_cast<int>(SemanticType::kBirthDate); ++type) {
    std::string_view name = SemanticTypeName(static_cast<SemanticType>(type));
    EXPECT_FALSE(name.empty());
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(SemanticType::kBirthDate) + 1);
  EXPECT_EQ(SemanticTypeName(SemanticType::kPostalCode), "postal_code");
  EXPECT_EQ(SemanticTypeName(SemanticType::kForeignKeyCode), "foreign_key");
}

TEST(SemanticsTest, RuleTableIsWellFormedAndCoversEveryType) {
  std::set<SemanticType> covered;
  for (const SemanticRule& rule : SemanticRules()) {
    EXPECT_NE(rule.type, SemanticType::kUnknown);
    EXPECT_NE(rule.kinds, 0);
    EXPECT_GT(rule.confidence, 0);
    EXPECT_LE(rule.confidence, 1);
    EXPECT_GT(rule.min_share, 0);
    EXPECT_LE(rule.min_share, 1);
    EXPECT_TRUE(rule.value_check != nullptr || rule.column_check != nullptr)
        << SemanticTypeName(rule.type) << " would match every column";
    covered.insert(rule.type);
  }
  EXPECT_EQ(covered.size(), static_cast<size_t>(SemanticType::kBirthDate));
}

TEST(SemanticsTest, CodeListsHoldIsoCodes) {
  for (const char* code : {"US", "GB", "DE", "AD", "ZW", "USA", "DEU", "ABW", "ZWE"}) {
    EXPECT_TRUE(IsCountryCode(code)) << code;
  }
  for (const char* code : {"UK", "XX", "EU", "NY", "TX", "us", "U", "USAA", "GER"}) {
    EXPECT_FALSE(IsCountryCode(code)) << code;
  }
  for (const char* code : {"USD", "EUR", "JPY", "GBP", "AED", "ZWL", "CHF"}) {
    EXPECT_TRUE(IsCurrencyCode(code)) << code;
  }
  for (const char* code : {"ABC", "usd", "US", "DOLLAR", "XYZ"}) {
    EXPECT_FALSE(IsCurrencyCode(code)) << code;
  }
}

TEST(SemanticsTest, ValueChecksAcceptTheirShapesOnly) {
  EXPECT_TRUE(IsIpv6("2001:db8::1"));
  EXPECT_TRUE(IsIpv6("::1"));
  EXPECT_TRUE(IsIpv6("::ffff:192.0.2.128"));
  EXPECT_TRUE(IsIpv6("2001:0db8:85a3:0000:0000:8a2e:0370:7334"));
  EXPECT_FALSE(IsIpv6("12:30:45"));
  EXPECT_FALSE(IsIpv6("1::2::3"));
  EXPECT_FALSE(IsIpv6("2001:db8:1:2:3:4:5:6:7"));
  EXPECT_TRUE(IsIpv4("10.0.0.1"));
  EXPECT_FALSE(IsIpv4("10.0.0.256"));
  EXPECT_FALSE(IsIpv4("1.2.3"));
  EXPECT_TRUE(IsFormattedPhone("+1 415 555 0100"));
  EXPECT_TRUE(IsFormattedPhone("(415) 555-0100"));
  EXPECT_TRUE(IsFormattedPhone("415.555.0100"));
  EXPECT_FALSE(IsFormattedPhone("2024-03-05"));
  EXPECT_FALSE(IsFormattedPhone("03-05-2024"));
  EXPECT_FALSE(IsFormattedPhone("02134-1234"));
  EXPECT_FALSE(IsFormattedPhone("192.168.100.200"));
  EXPECT_FALSE(IsFormattedPhone("123-45-6789"));
  EXPECT_TRUE(IsPostalCode("02134"));
  EXPECT_TRUE(IsPostalCode("02134-1234"));
  EXPECT_TRUE(IsPostalCode("SW1A 1AA"));
  EXPECT_TRUE(IsPostalCode("K1A 0B1"));
  EXPECT_FALSE(IsPostalCode("ABCDE"));
  EXPECT_FALSE(IsPostalCode("123"));
  EXPECT_TRUE(IsDateTimeText("2001/01/01 00:47"));
  EXPECT_TRUE(IsDateTimeText("2024-03-05T10:00:00Z"));
  EXPECT_TRUE(IsDateTimeText("12/31/2023"));
  EXPECT_TRUE(IsDateTimeText("31.12.2023 10:15 PM"));
  EXPECT_TRUE(IsDateTimeText("Jan 1 2000"));
  EXPECT_TRUE(IsDateTimeText("January 5, 2024"));
  EXPECT_TRUE(IsDateTimeText("05-Jan-2024"));
  EXPECT_FALSE(IsDateTimeText("Jan 32 2000"));
  EXPECT_FALSE(IsDateTimeText("Janet 1 2000"));
  EXPECT_FALSE(IsDateTimeText("2024-13-45"));
  EXPECT_FALSE(IsDateTimeText("13/13/2023"));
  EXPECT_TRUE(IsMoneyText("$12.50"));
  EXPECT_TRUE(IsMoneyText("-\u20ac3,99"));
  EXPECT_TRUE(IsMoneyText("1,200.00 USD"));
  EXPECT_FALSE(IsMoneyText("12.50"));
  EXPECT_FALSE(IsMoneyText("$"));
  EXPECT_TRUE(IsPersonNameText("Mary-Jane O'Neil"));
  EXPECT_TRUE(IsPersonNameText("J\u00fcrgen M\u00fcller"));
  EXPECT_FALSE(IsPersonNameText("R2D2"));
}

TEST(SemanticsTest, Email) {
  ColumnSemantics email = Infer(MakeProfile("email", TypeId::kVarchar, kEmails));
  EXPECT_EQ(email.type, SemanticType::kEmail);
  EXPECT_GE(email.confidence, 0.9);
  EXPECT_TRUE(email.pii);
  EXPECT_EQ(email.pii_reason, "email address");

  ColumnSemantics not_email = Infer(MakeProfile(
      "email", TypeId::kVarchar,
      Cycle({"not an email", "alice at example dot com", "@example.com", "bob@", "carol@localhost"},
            20)));
  EXPECT_NE(not_email.type, SemanticType::kEmail);
  EXPECT_FALSE(not_email.pii);
}

TEST(SemanticsTest, NameHintRaisesConfidenceButValuesDecide) {
  ColumnSemantics named = Infer(MakeProfile("contact_email", TypeId::kVarchar, kEmails));
  ColumnSemantics unnamed = Infer(MakeProfile("contact", TypeId::kVarchar, kEmails));
  EXPECT_EQ(unnamed.type, SemanticType::kEmail);
  EXPECT_GT(named.confidence, unnamed.confidence);

  // A name alone (no values to look at) gives a low confidence.
  ColumnSemantics empty = Infer(MakeProfile("email", TypeId::kVarchar, {}, 10));
  EXPECT_EQ(empty.type, SemanticType::kEmail);
  EXPECT_GT(empty.confidence, 0);
  EXPECT_LT(empty.confidence, 0.5);

  // Values that partly agree with the name: between the two.
  std::vector<std::string> mixed = kEmails;
  for (int i = 0; i < 4; ++i) mixed.push_back("unknown " + std::to_string(i));
  ColumnSemantics partial = Infer(MakeProfile("email", TypeId::kVarchar, mixed));
  EXPECT_EQ(partial.type, SemanticType::kEmail);
  EXPECT_GT(partial.confidence, empty.confidence);
  EXPECT_LT(partial.confidence, unnamed.confidence);
  EXPECT_NE(Infer(MakeProfile("contact", TypeId::kVarchar, mixed)).type, SemanticType::kEmail);
}

TEST(SemanticsTest, Url) {
  EXPECT_EQ(
      TypeOf(MakeProfile("homepage", TypeId::kVarchar,
                         {"https://example.com/a?b=1", "http://www.vega.org", "www.duckdb.org/docs",
                          "https://10.0.0.1:8080/x", "HTTPS://EXAMPLE.ORG"})),
      "url");
  EXPECT_NE(TypeOf(MakeProfile("website", TypeId::kVarchar,
                               {"example.com", "htp://x.org", "https://exa mple.com",
                                "vega dot org", "example.org"})),
            "url");
}

TEST(SemanticsTest, Uuid) {
  std::vector<std::string> uuids;
  std::vector<std::string> hex;
  for (int i = 0; i < 10; ++i) {
    std::string digits = std::to_string(i);
    uuids.push_back("123e4567-e89b-12d3-a456-42661417400" + digits);
    hex.push_back("123e4567e89b12d3a45642661417400" + digits);
  }
  ColumnSemantics uuid = Infer(MakeProfile("session", TypeId::kVarchar, uuids));
  EXPECT_EQ(uuid.type, SemanticType::kUuid);
  EXPECT_FALSE(uuid.pii);
  EXPECT_NE(TypeOf(MakeProfile("session", TypeId::kVarchar, hex)), "uuid");
}

TEST(SemanticsTest, IpAddresses) {
  ColumnSemantics ipv4 = Infer(MakeProfile(
      "client", TypeId::kVarchar,
      {"10.0.0.1", "192.168.1.20", "172.16.254.3", "8.8.8.8", "10.0.0.1", "127.0.0.1"}));
  EXPECT_EQ(ipv4.type, SemanticType::kIpv4);
  EXPECT_TRUE(ipv4.pii);
  EXPECT_EQ(ipv4.pii_reason, "IP address");

  ColumnSemantics ipv6 =
      Infer(MakeProfile("client", TypeId::kVarchar,
                        {"2001:db8::1", "fe80::1ff:fe23:4567:890a", "::1",
                         "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128"}));
  EXPECT_EQ(ipv6.type, SemanticType::kIpv6);
  EXPECT_TRUE(ipv6.pii);

  ColumnSemantics versions = Infer(
      MakeProfile("version", TypeId::kVarchar, Cycle({"1.2.3", "1.2.4", "2.0.0", "10.0.0"}, 12)));
  EXPECT_NE(versions.type, SemanticType::kIpv4);
  EXPECT_FALSE(versions.pii);
  ColumnSemantics times = Infer(
      MakeProfile("clock", TypeId::kVarchar, Cycle({"12:30:45", "08:15:00", "23:59:59"}, 12)));
  EXPECT_NE(times.type, SemanticType::kIpv6);
  EXPECT_FALSE(times.pii);
}

TEST(SemanticsTest, Phone) {
  ColumnSemantics phone = Infer(MakeProfile(
      "contact", TypeId::kVarchar,
      {"+1 415 555 0100", "(415) 555-0100", "415-555-0199", "+44 20 7946 0958", "+14155550123"}));
  EXPECT_EQ(phone.type, SemanticType::kPhone);
  EXPECT_TRUE(phone.pii);
  EXPECT_EQ(phone.pii_reason, "phone number");

  ColumnSemantics bare = Infer(MakeProfile("phone", TypeId::kBigint, Numbers(4155550100, 10, 7)));
  EXPECT_EQ(bare.type, SemanticType::kPhone);
  EXPECT_TRUE(bare.pii);
  // The same digits without a phone name are just numbers.
  ColumnSemantics numbers =
      Infer(MakeProfile("reading", TypeId::kBigint, Numbers(4155550100, 10, 7)));
  EXPECT_NE(numbers.type, SemanticType::kPhone);
  EXPECT_FALSE(numbers.pii);

  ColumnSemantics not_phone = Infer(MakeProfile(
      "contact", TypeId::kVarchar, {"02134-1234", "123-45-6789", "12345", "555", "call me"}));
  EXPECT_NE(not_phone.type, SemanticType::kPhone);
  EXPECT_FALSE(not_phone.pii);
}

TEST(SemanticsTest, PostalCode) {
  std::vector<std::string> zips = Cycle({"02134", "10001", "94105", "00501", "60614", "30301"}, 30);
  ColumnSemantics zip = Infer(MakeProfile("zip_code", TypeId::kVarchar, zips));
  EXPECT_EQ(zip.type, SemanticType::kPostalCode);
  EXPECT_GE(zip.confidence, 0.8);
  EXPECT_FALSE(zip.pii);

  EXPECT_EQ(TypeOf(MakeProfile("zipCode", TypeId::kBigint, Cycle({"2134", "10001", "94105"}, 9))),
            "postal_code");
  EXPECT_EQ(TypeOf(MakeProfile("ZIP", TypeId::kVarchar, {"02134-1234", "10001-0001", "94105"})),
            "postal_code");
  EXPECT_EQ(TypeOf(MakeProfile("postcode", TypeId::kVarchar,
                               {"SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH"})),
            "postal_code");
  EXPECT_EQ(TypeOf(MakeProfile("postal_code", TypeId::kVarchar, {"K1A 0B1", "M5V 3L9", "V6B4Y8"})),
            "postal_code");

  // Five-digit numbers are postal codes only when the name says so.
  ColumnSemantics order = Infer(MakeProfile("order_id", TypeId::kBigint, Numbers(10001, 50)));
  EXPECT_EQ(order.type, SemanticType::kIdentifier);
  EXPECT_NE(TypeOf(MakeProfile("batch", TypeId::kVarchar, zips)), "postal_code");
  EXPECT_NE(TypeOf(MakeProfile("amount", TypeId::kBigint, Numbers(10001, 50, 13))), "postal_code");
  EXPECT_NE(TypeOf(MakeProfile("reference", TypeId::kVarchar,
                               {"SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH"})),
            "postal_code");
  // A postal name does not override values that are not postal codes.
  EXPECT_NE(TypeOf(MakeProfile("zip", TypeId::kVarchar, Cycle({"yes", "no", "maybe"}, 9))),
            "postal_code");
}

TEST(SemanticsTest, CountryCode) {
  ColumnSemantics alpha2 = Infer(MakeProfile(
      "country", TypeId::kVarchar, Cycle({"US", "DE", "FR", "JP", "BR", "GB", "CA"}, 40)));
  EXPECT_EQ(alpha2.type, SemanticType::kCountryCode);
  EXPECT_FALSE(alpha2.pii);
  EXPECT_EQ(
      TypeOf(MakeProfile("origin", TypeId::kVarchar, Cycle({"USA", "DEU", "FRA", "JPN"}, 20))),
      "country_code");

  // US state codes overlap ISO codes (CA, DE, GA...) but a state column is no country column.
  std::vector<std::string> states = {"NY", "CA", "TX", "WA", "MA", "FL", "GA", "DE", "IL", "CO"};
  ColumnSemantics state = Infer(MakeProfile("state", TypeId::kVarchar, Cycle(states, 60)));
  EXPECT_NE(state.type, SemanticType::kCountryCode);
  EXPECT_TRUE(state.type == SemanticType::kForeignKeyCode ||
              state.type == SemanticType::kCategorical)
      << SemanticTypeName(state.type);
  std::vector<std::string> iso_states = {"CA", "DE", "GA", "IN", "AL", "AR", "CO", "MN"};
  EXPECT_NE(TypeOf(MakeProfile("state", TypeId::kVarchar, Cycle(iso_states, 40))), "country_code");
  EXPECT_NE(TypeOf(MakeProfile("country", TypeId::kVarchar, Cycle({"XX", "QQ", "ZZ"}, 12))),
            "country_code");
}

TEST(SemanticsTest, CurrencyCode) {
  EXPECT_EQ(
      TypeOf(MakeProfile("currency", TypeId::kVarchar, Cycle({"USD", "EUR", "JPY", "GBP"}, 20))),
      "currency_code");
  EXPECT_EQ(TypeOf(MakeProfile("ccy", TypeId::kVarchar, Cycle({"USD", "EUR"}, 10))),
            "currency_code");
  EXPECT_NE(TypeOf(MakeProfile("currency", TypeId::kVarchar, Cycle({"ABC", "XYZ", "QQQ"}, 12))),
            "currency_code");
}

const std::vector<std::string> kLatitudes = {"37.619", "40.640", "33.942",  "-33.946", "51.470",
                                             "35.553", "49.009", "-23.435", "1.359",   "64.130"};
const std::vector<std::string> kLongitudes = {"-122.375", "-73.779", "-118.408", "151.177",
                                              "-0.454",   "139.781", "2.548",    "-46.473",
                                              "103.989",  "-21.940"};

TEST(SemanticsTest, LatitudeAndLongitude) {
  EXPECT_EQ(TypeOf(MakeProfile("latitude", TypeId::kDouble, kLatitudes)), "latitude");
  EXPECT_EQ(TypeOf(MakeProfile("lat", TypeId::kDouble, kLatitudes)), "latitude");
  EXPECT_EQ(TypeOf(MakeProfile("longitude", TypeId::kDouble, kLongitudes)), "longitude");
  EXPECT_EQ(TypeOf(MakeProfile("lng", TypeId::kDouble, kLongitudes)), "longitude");
  EXPECT_EQ(TypeOf(MakeProfile("pickup_lon", TypeId::kVarchar, kLongitudes)), "longitude");

  // Numbers in range without the name are measures.
  EXPECT_EQ(TypeOf(MakeProfile("value_a", TypeId::kDouble, kLatitudes)), "measure");
  EXPECT_EQ(TypeOf(MakeProfile("value_b", TypeId::kDouble, kLongitudes)), "measure");
  // The name does not override values out of range.
  EXPECT_NE(TypeOf(MakeProfile("lat", TypeId::kDouble, kLongitudes)), "latitude");
  std::vector<std::string> beyond = kLongitudes;
  beyond.push_back("190.5");
  EXPECT_NE(TypeOf(MakeProfile("lon", TypeId::kDouble, beyond)), "longitude");
}

TEST(SemanticsTest, DateTimeText) {
  EXPECT_EQ(TypeOf(MakeProfile("date", TypeId::kVarchar,
                               {"2001/01/01 00:47", "2001/01/01 06:00", "2001/01/02 13:15",
                                "2001/01/03 09:05", "2001/01/01 00:47"})),
            "datetime_text");
  EXPECT_EQ(TypeOf(MakeProfile("day", TypeId::kVarchar,
                               Cycle({"2024-03-05", "2024-03-06", "2024-03-07"}, 9))),
            "datetime_text");
  EXPECT_EQ(TypeOf(MakeProfile("shipped", TypeId::kVarchar,
                               {"03/05/2024", "12/31/2023", "1/2/2024", "07/04/2024 10:30"})),
            "datetime_text");
  EXPECT_EQ(TypeOf(MakeProfile("Release Date", TypeId::kVarchar,
                               {"Jun 12 1998", "Aug 07 1998", "Jan 1 2000", "Dec 25 2001"})),
            "datetime_text");
  EXPECT_NE(TypeOf(MakeProfile("date", TypeId::kVarchar,
                               Cycle({"not a date", "2024-13-45", "yesterday"}, 9))),
            "datetime_text");
  // DATE columns need no semantic type to say they hold dates.
  EXPECT_NE(TypeOf(MakeProfile("day", TypeId::kDate, {"2024-03-05", "2024-03-06"})),
            "datetime_text");
}

TEST(SemanticsTest, Identifier) {
  ColumnSemantics order = Infer(MakeProfile("order_id", TypeId::kBigint, Numbers(10001, 50)));
  EXPECT_EQ(order.type, SemanticType::kIdentifier);
  EXPECT_GE(order.confidence, 0.8);
  EXPECT_FALSE(order.pii);
  EXPECT_EQ(TypeOf(MakeProfile("row", TypeId::kInteger, Numbers(1, 100))), "identifier");
  EXPECT_EQ(TypeOf(MakeProfile("sku", TypeId::kVarchar, ThreeLetterCodes(40))), "identifier");

  // Repeated keys point to another table; unique measures are not keys.
  EXPECT_EQ(TypeOf(MakeProfile("customer_id", TypeId::kBigint, Cycle(Numbers(1, 7), 50))),
            "foreign_key");
  EXPECT_EQ(TypeOf(MakeProfile("score", TypeId::kDouble, Numbers(1, 50, 37))), "measure");
  EXPECT_EQ(TypeOf(MakeProfile("population", TypeId::kBigint, Numbers(1000, 50, 977))), "measure");
  // Many NULLs: no key.
  EXPECT_NE(TypeOf(MakeProfile("order_id", TypeId::kBigint, Numbers(10001, 50), 20)), "identifier");
}

TEST(SemanticsTest, ForeignKeyCode) {
  std::vector<std::string> airports = {"SFO", "LAX", "JFK", "ORD", "SEA", "ATL", "DEN"};
  ColumnSemantics origin = Infer(MakeProfile("origin", TypeId::kVarchar, Cycle(airports, 200)));
  EXPECT_EQ(origin.type, SemanticType::kForeignKeyCode);
  EXPECT_FALSE(origin.pii);
  EXPECT_EQ(TypeOf(MakeProfile("aircraft", TypeId::kVarchar,
                               Cycle({"B737", "A320", "B777-300", "E175"}, 40))),
            "foreign_key");
  // Unique codes are keys of this table; category words are no codes.
  EXPECT_EQ(TypeOf(MakeProfile("origin", TypeId::kVarchar, airports)), "identifier");
  EXPECT_EQ(
      TypeOf(MakeProfile("status", TypeId::kVarchar, Cycle({"ACTIVE", "INACTIVE", "PENDING"}, 30))),
      "categorical");
}

TEST(SemanticsTest, Categorical) {
  EXPECT_EQ(TypeOf(MakeProfile("color", TypeId::kVarchar, Cycle({"red", "green", "blue"}, 30))),
            "categorical");
  std::vector<std::string> words;
  for (int i = 0; i < 30; ++i)
    words.push_back("word" + std::string(1, 'a' + i % 26) + "x" + std::to_string(i));
  EXPECT_NE(TypeOf(MakeProfile("color", TypeId::kVarchar, words)), "categorical");
}

TEST(SemanticsTest, FreeText) {
  std::vector<std::string> reviews;
  for (int i = 0; i < 20; ++i) {
    reviews.push_back("The flight was delayed by " + std::to_string(i) +
                      " minutes but the crew was friendly and helpful.");
  }
  ColumnSemantics review = Infer(MakeProfile("review", TypeId::kVarchar, reviews));
  EXPECT_EQ(review.type, SemanticType::kFreeText);
  EXPECT_FALSE(review.pii);
  EXPECT_NE(TypeOf(MakeProfile("comment", TypeId::kVarchar, Cycle({"ok", "fine", "good"}, 20))),
            "free_text");
}

TEST(SemanticsTest, BooleanLike) {
  EXPECT_EQ(TypeOf(MakeProfile("subscribed", TypeId::kVarchar, Cycle({"yes", "no"}, 10))),
            "boolean_like");
  EXPECT_EQ(TypeOf(MakeProfile("member", TypeId::kVarchar, Cycle({"Y", "N"}, 10))), "boolean_like");
  EXPECT_EQ(TypeOf(MakeProfile("is_active", TypeId::kInteger, Cycle({"0", "1"}, 10))),
            "boolean_like");
  EXPECT_EQ(TypeOf(MakeProfile("paid", TypeId::kBoolean, Cycle({"true", "false"}, 10))),
            "boolean_like");
  EXPECT_NE(TypeOf(MakeProfile("subscribed", TypeId::kVarchar, Cycle({"yes", "no", "maybe"}, 12))),
            "boolean_like");
  EXPECT_NE(TypeOf(MakeProfile("rating", TypeId::kInteger, Cycle({"1", "2"}, 10))), "boolean_like");
  // The sample may miss a rare value that the top values show: "5000" is no flag.
  ColumnProfile rare = MakeProfile("repayments", TypeId::kBigint, Cycle({"0"}, 99));
  rare.distinct = 2;
  rare.top_values.push_back({"5000", 1});
  EXPECT_NE(TypeOf(rare), "boolean_like");
}

TEST(SemanticsTest, Measure) {
  EXPECT_EQ(TypeOf(MakeProfile("delay", TypeId::kInteger,
                               Cycle({"-5", "0", "12", "30", "0", "7", "95"}, 50))),
            "measure");
  EXPECT_EQ(TypeOf(MakeProfile("distance", TypeId::kInteger, Cycle({"405", "1235", "967"}, 30))),
            "measure");
  EXPECT_NE(TypeOf(MakeProfile("zip", TypeId::kBigint, Cycle({"2134", "10001", "94105"}, 9))),
            "measure");
  EXPECT_NE(TypeOf(MakeProfile("store_id", TypeId::kBigint, Cycle({"3", "4", "9"}, 9))), "measure");
}

TEST(SemanticsTest, Money) {
  std::vector<std::string> prices = {"19.99", "5.49", "120.00", "3.50", "19.99", "7.25"};
  EXPECT_EQ(TypeOf(MakeProfile("price", TypeId::kDouble, prices)), "money");
  EXPECT_EQ(TypeOf(MakeProfile("amount_usd", TypeId::kDouble, prices)), "money");
  EXPECT_EQ(TypeOf(MakeProfile("UnitPrice", TypeId::kVarchar, prices)), "money");
  EXPECT_EQ(TypeOf(MakeProfile("total", TypeId::kVarchar,
                               {"$12.50", "$1,200.00", "$3.99", "\u20ac4,50", "10.00 EUR"})),
            "money");
  EXPECT_NE(
      TypeOf(MakeProfile("price", TypeId::kVarchar, Cycle({"cheap", "expensive", "moderate"}, 9))),
      "money");
  EXPECT_EQ(TypeOf(MakeProfile("weight", TypeId::kDouble, prices)), "measure");
}

TEST(SemanticsTest, PersonName) {
  std::vector<std::string> first = {"Alice", "Bob", "Carol", "Dave", "Erin", "Alice", "Mary-Jane"};
  for (const char* name :
       {"first_name", "last_name", "lastName", "customer_name", "surname", "Candidate_Name"}) {
    ColumnSemantics person = Infer(MakeProfile(name, TypeId::kVarchar, first));
    EXPECT_EQ(person.type, SemanticType::kPersonName) << name;
    EXPECT_TRUE(person.pii) << name;
    EXPECT_EQ(person.pii_reason, "person name") << name;
  }
  ColumnSemantics full = Infer(MakeProfile(
      "full_name", TypeId::kVarchar, {"Alice Smith", "Bob O'Neil", "J\u00fcrgen M\u00fcller"}));
  EXPECT_EQ(full.type, SemanticType::kPersonName);
  EXPECT_TRUE(full.pii);

  for (const char* name : {"city", "airport_name", "product_name", "name", "city_name",
                           "customer_city_name", "employee_team_name"}) {
    ColumnSemantics other = Infer(MakeProfile(name, TypeId::kVarchar, Cycle(kCities, 24)));
    EXPECT_NE(other.type, SemanticType::kPersonName) << name;
    EXPECT_FALSE(other.pii) << name;
  }
  // A person name hint does not override values that are no names.
  ColumnSemantics codes =
      Infer(MakeProfile("first_name", TypeId::kVarchar, Cycle({"A123", "B456", "C789"}, 9)));
  EXPECT_NE(codes.type, SemanticType::kPersonName);
  EXPECT_FALSE(codes.pii);
}

TEST(SemanticsTest, BirthDate) {
  std::vector<std::string> births = {"1980-05-01", "1975-12-24", "1990-01-02", "2001-07-30"};
  for (const char* name : {"birth_date", "dob", "date_of_birth", "birthday", "BirthDate"}) {
    ColumnSemantics birth = Infer(MakeProfile(name, TypeId::kDate, births));
    EXPECT_EQ(birth.type, SemanticType::kBirthDate) << name;
    EXPECT_TRUE(birth.pii) << name;
    EXPECT_EQ(birth.pii_reason, "birth date") << name;
  }
  EXPECT_EQ(TypeOf(MakeProfile("dob", TypeId::kVarchar, {"05/01/1980", "12/24/1975"})),
            "birth_date");

  ColumnSemantics place = Infer(MakeProfile("birth_place", TypeId::kVarchar, Cycle(kCities, 16)));
  EXPECT_NE(place.type, SemanticType::kBirthDate);
  EXPECT_FALSE(place.pii);
  ColumnSemantics created = Infer(MakeProfile("created_at", TypeId::kVarchar, births));
  EXPECT_EQ(created.type, SemanticType::kDateTimeText);
  EXPECT_FALSE(created.pii);
}

TEST(SemanticsTest, StreetAddressByName) {
  ColumnSemantics street = Infer(MakeProfile(
      "street_address", TypeId::kVarchar, {"1 Main St", "22 Elm Street", "300 Market St Apt 4"}));
  EXPECT_TRUE(street.pii);
  EXPECT_EQ(street.pii_reason, "street address");
  EXPECT_TRUE(Infer(MakeProfile("address_line1", TypeId::kVarchar, {"1 Main St"})).pii);

  ColumnSemantics ip =
      Infer(MakeProfile("ip_address", TypeId::kVarchar, {"10.0.0.1", "10.0.0.2", "10.1.2.3"}));
  EXPECT_EQ(ip.pii_reason, "IP address");
  ColumnSemantics email = Infer(MakeProfile("email_address", TypeId::kVarchar, kEmails));
  EXPECT_EQ(email.pii_reason, "email address");
  EXPECT_FALSE(
      Infer(MakeProfile("address_type", TypeId::kVarchar, Cycle({"home", "work"}, 10))).pii);
  EXPECT_FALSE(Infer(MakeProfile("comment", TypeId::kVarchar, {"1 Main St", "22 Elm St"})).pii);
}

TEST(SemanticsTest, PostalCodeWithBirthDateIsQuasiIdentifier) {
  ColumnProfile zip =
      MakeProfile("zip_code", TypeId::kVarchar, Cycle({"02134", "10001", "94105", "00501"}, 20));
  ColumnProfile birth =
      MakeProfile("birth_date", TypeId::kDate, Cycle({"1980-05-01", "1975-12-24"}, 20));
  ColumnProfile created =
      MakeProfile("created", TypeId::kVarchar, Cycle({"2024-03-05", "2024-03-06"}, 20));

  std::vector<ColumnSemantics> both = InferSemantics({zip, birth, created});
  ASSERT_EQ(both.size(), 3u);
  EXPECT_EQ(both[0].type, SemanticType::kPostalCode);
  EXPECT_TRUE(both[0].pii);
  EXPECT_NE(both[0].pii_reason.find("quasi-identifier"), std::string::npos);
  EXPECT_EQ(both[1].type, SemanticType::kBirthDate);
  EXPECT_TRUE(both[1].pii);
  EXPECT_NE(both[1].pii_reason.find("quasi-identifier"), std::string::npos);
  EXPECT_FALSE(both[2].pii);

  std::vector<ColumnSemantics> alone = InferSemantics({zip, created});
  EXPECT_EQ(alone[0].type, SemanticType::kPostalCode);
  EXPECT_FALSE(alone[0].pii);
  EXPECT_TRUE(alone[0].pii_reason.empty());
}

// Shaped like vega-datasets airports.csv: iata, name, city, state, country, latitude, longitude.
TEST(SemanticsTest, AirportsDataset) {
  constexpr size_t kRows = 300;
  std::vector<std::string> names;
  std::vector<std::string> latitudes;
  std::vector<std::string> longitudes;
  for (size_t i = 0; i < kRows; ++i) {
    names.push_back(kCities[i % kCities.size()] + " Regional Airport " + std::to_string(i));
    latitudes.push_back(std::to_string(20.0 + static_cast<double>(i % 97) * 0.4));
    longitudes.push_back(std::to_string(-160.0 + static_cast<double>(i % 89) * 1.1));
  }
  std::vector<std::string> countries = Cycle({"USA"}, kRows - 3);
  countries.insert(countries.end(), {"Palau", "Thailand", "Federated States of Micronesia"});
  std::vector<std::string> states = {"CA", "TX", "AK", "NY", "FL", "MI", "IL", "OH", "WA", "GA",
                                     "PA", "MN", "WI", "CO", "NE", "KS", "OK", "MO", "AZ", "NM"};
  std::vector<ColumnProfile> airports = {
      MakeProfile("iata", TypeId::kVarchar, ThreeLetterCodes(kRows)),
      MakeProfile("name", TypeId::kVarchar, names),
      MakeProfile("city", TypeId::kVarchar, Cycle(kCities, kRows)),
      MakeProfile("state", TypeId::kVarchar, Cycle(states, kRows)),
      MakeProfile("country", TypeId::kVarchar, countries),
      MakeProfile("latitude", TypeId::kDouble, latitudes),
      MakeProfile("longitude", TypeId::kDouble, longitudes),
  };
  std::vector<ColumnSemantics> semantics = InferSemantics(airports);
  ASSERT_EQ(semantics.size(), airports.size());
  EXPECT_EQ(semantics[0].type, SemanticType::kIdentifier);
  EXPECT_NE(semantics[1].type, SemanticType::kPersonName);
  EXPECT_NE(semantics[2].type, SemanticType::kPersonName);
  EXPECT_NE(semantics[3].type, SemanticType::kCountryCode);
  EXPECT_EQ(semantics[4].type, SemanticType::kCountryCode);
  EXPECT_EQ(semantics[5].type, SemanticType::kLatitude);
  EXPECT_EQ(semantics[6].type, SemanticType::kLongitude);
  for (const ColumnSemantics& column : semantics) {
    EXPECT_FALSE(column.pii) << column.pii_reason;
    EXPECT_GE(column.confidence, 0);
    EXPECT_LE(column.confidence, 1);
  }
}

// Shaped like vega-datasets flights-*k: date, delay, distance, origin, destination.
TEST(SemanticsTest, FlightsDataset) {
  constexpr int kRows = 200;
  std::vector<std::string> dates;
  std::vector<std::string> delays;
  std::vector<std::string> distances;
  for (int i = 0; i < kRows; ++i) {
    char date[32];
    std::snprintf(date, sizeof(date), "2001/01/%02d %02d:%02d", 1 + i % 28, i % 24, i * 7 % 60);
    dates.push_back(date);
    delays.push_back(std::to_string(i * 37 % 90 - 10));
    distances.push_back(std::to_string(200 + i * 53 % 40 * 50));
  }
  std::vector<std::string> airports = {"SFO", "LAX", "JFK", "ORD", "SEA", "ATL",
                                       "DEN", "BOS", "PHX", "LAS", "MSP", "DFW"};
  std::vector<std::string> destinations(airports.rbegin(), airports.rend());
  std::vector<ColumnProfile> flights = {
      MakeProfile("date", TypeId::kVarchar, dates),
      MakeProfile("delay", TypeId::kBigint, delays),
      MakeProfile("distance", TypeId::kBigint, distances),
      MakeProfile("origin", TypeId::kVarchar, Cycle(airports, kRows)),
      MakeProfile("destination", TypeId::kVarchar, Cycle(destinations, kRows)),
  };
  std::vector<ColumnSemantics> semantics = InferSemantics(flights);
  ASSERT_EQ(semantics.size(), flights.size());
  EXPECT_EQ(semantics[0].type, SemanticType::kDateTimeText);
  EXPECT_EQ(semantics[1].type, SemanticType::kMeasure);
  EXPECT_EQ(semantics[2].type, SemanticType::kMeasure);
  EXPECT_EQ(semantics[3].type, SemanticType::kForeignKeyCode);
  EXPECT_EQ(semantics[4].type, SemanticType::kForeignKeyCode);
  for (const ColumnSemantics& column : semantics) EXPECT_FALSE(column.pii);
}

}  // namespace
}  // namespace sluice::catalog
