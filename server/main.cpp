#include "app/cli.hpp"

int main(int argc, char** argv) { return chorus::app::RunCli(argc, argv); }
