// tvram_main.cpp - the Boost.Test module of tvram_unit.
// SPDX-License-Identifier: Apache-2.0
#define BOOST_TEST_MODULE vram
#include <boost/test/unit_test.hpp>
