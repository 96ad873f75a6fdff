// boost_json_impl.cpp - Boost.JSON compiled into the framework (its documented header-only mode,
// boost/json/src.hpp in one translation unit) instead of linking libboost_json: the shared
// library cost every start 295 symbol look-ups (framework/CMakeLists.txt).
// SPDX-License-Identifier: Apache-2.0
#include <boost/json/src.hpp>
