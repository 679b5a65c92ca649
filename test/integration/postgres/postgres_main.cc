// The main of the PostgreSQL integration tests: one server for every test of the program.

#include "fixture.h"

int main(int argc, char** argv) { return sluice::testing::RunWithPostgres(argc, argv); }
