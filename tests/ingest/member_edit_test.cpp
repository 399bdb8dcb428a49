#include "ingest/member_edit.hpp"

#include <gtest/gtest.h>

namespace chorus::ingest {
namespace {

TEST(MemberEdit, RoundTripsFieldsAndTagsIncludingSpacesAndUnicodeInValues) {
  MemberEdit edit;
  edit.fields = {{"zip", "10001"}, {"note", "Calle 5, piso 2 — ñ"}, {"empty", ""}};
  edit.add_tags = {"captain", "rent-strike"};
  edit.remove_tags = {"new_member"};
  const auto back = DecodeMemberEdit(EncodeMemberEdit(edit));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->fields, edit.fields);
  EXPECT_EQ(back->add_tags, edit.add_tags);
  EXPECT_EQ(back->remove_tags, edit.remove_tags);
}

TEST(MemberEdit, RefusesTextItDidNotMake) {
  for (const char* text : {"f\tzip", "f\tzip\t1", "x\tzip\t1\n", "+\tNot OK\n", "f\tZip\t1\n",
                           "f\tzip\t1\tX\x01\n", "+\t\n", "\n"}) {
    EXPECT_FALSE(DecodeMemberEdit(text).has_value()) << text;
  }
  EXPECT_TRUE(DecodeMemberEdit("").has_value());
}

TEST(MemberEdit, NamesTagsAndValuesFollowTheFlowsRules) {
  EXPECT_TRUE(IsMemberFieldName("zip_code"));
  EXPECT_FALSE(IsMemberFieldName("zip-code"));
  EXPECT_FALSE(IsMemberFieldName(std::string(64, 'a')));
  EXPECT_TRUE(IsMemberTag("rent-strike"));
  EXPECT_FALSE(IsMemberTag("Rent"));
  EXPECT_TRUE(IsMemberFieldValue(std::string(500, 'x')));
  EXPECT_FALSE(IsMemberFieldValue(std::string(501, 'x')));
  EXPECT_FALSE(IsMemberFieldValue("line\nbreak"));
  EXPECT_FALSE(IsMemberFieldValue("tab\there"));
}

}  // namespace
}  // namespace chorus::ingest
