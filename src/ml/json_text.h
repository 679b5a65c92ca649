#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace sluice::ml {

/// Returns `value` as compact JSON text with numbers in their shortest round-trip form (0.25,
/// 4, 1e-07), where Boost.JSON 1.81 would print 2.5E-1 and 4E0.
std::string JsonText(const boost::json::value& value);

}  // namespace sluice::ml
