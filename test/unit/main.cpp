// main.cpp: the doctest runner for all unit tests (test/unit/*.cpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
