// The one main() shared by every unit-test executable (one executable per subsystem).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
