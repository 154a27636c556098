#pragma once

// A seller call whose request and answer are both checked against the official AdCP schemas, for the tests of
// the media-buy tools (tst_seller_datasync, tst_seller_catalogs).

#include "execfixture.h"
#include "officialschemas.h"

#include <QtTest>

#include <algorithm>
#include <string>

namespace exectest {

// Records a failure of the running test (and lets it go on) when `document` does not pass the official
// schema `schemaId`.
inline void expectOfficial(const std::string &schemaId, const nlohmann::json &document)
{
    const QString problems = adcp::testsupport::officialSchemaProblems(schemaId.c_str(), document);
    if (!problems.isEmpty())
        QTest::qFail(qPrintable(problems), __FILE__, __LINE__);
}

// Calls the media-buy tool `tool` as `who` (the buyer by default); the request is checked only when
// `requestValid`, the answer always (an error outcome as the errors[] it answers).
inline adcp::ToolOutcome officialCall(ExecSeller &s, const std::string &tool, const nlohmann::json &args,
                                      bool requestValid = true, const adcp::seller::Principal *who = nullptr)
{
    std::string dashed = tool;
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    if (requestValid)
        expectOfficial("/schemas/media-buy/" + dashed + "-request.json", args);
    auto outcome = s.call(who ? *who : s.buyer, tool, args);
    nlohmann::json answer = outcome.result;
    if (!outcome.ok() && !answer.contains("errors"))
        answer = {{"errors", nlohmann::json::array({outcome.error->toJson()})}};
    expectOfficial("/schemas/media-buy/" + dashed + "-response.json", answer);
    return outcome;
}

} // namespace exectest
