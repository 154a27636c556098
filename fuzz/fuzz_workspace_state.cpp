// What the workbench reads back from files it keeps or is handed: the saved workspace (views/workspacestore,
// views/workspacekeeper: one document per kind and the saved exchanges, merged into the models) and trainer
// scenario files (models/scenario). A damaged or hostile file must leave the window usable.
//
// Input: a first line "workspace" or "scenario" (anything else picks one).
//   workspace: then one stored row per line, "<kind>\t<the row's text>", kind being opportunities, proposals,
//              buys, events, products, session or exchange; each text goes through the store's own parser
//              and the whole set through restoreWorkspace into a fresh Workbench. Every cell of every model
//              is then read in every role the views use, and the saved state is restored a second time: that
//              must add nothing (a workspace restored on each start would otherwise grow every time).
//   scenario:  the rest is a scenario file; one that parses must serialize and parse back to the same steps.
#include "buyeventmodel.h"
#include "buymodel.h"
#include "exchangemodel.h"
#include "opportunitymodel.h"
#include "productmodel.h"
#include "proposalmodel.h"
#include "scenario.h"
#include "workbench.h"
#include "workspacekeeper.h"
#include "workspacestore.h"

#include "fuzzinput.h"

#include <QAbstractItemModel>
#include <QApplication>

#include <cstdio>
#include <cstdlib>

namespace {

using adcp::gui::Workbench;
using nlohmann::json;

void ensureApplication()
{
    if (QCoreApplication::instance())
        return;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "adcp-fuzz";
    static char *argv[] = {name, nullptr};
    // Lives until the process ends: libFuzzer never returns from its loop to a scope that could own it.
    static const auto app = std::make_unique<QApplication>(argc, argv);
}

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_workspace_state: %s\n", what);
    std::abort();
}

// What the views ask a model for: every cell, every role up to the models' own ones, and the headers.
void readEveryCell(const QAbstractItemModel &model)
{
    for (int column = 0; column < model.columnCount(); ++column) {
        for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
            model.headerData(column, Qt::Horizontal, role);
    }
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column) {
            const QModelIndex index = model.index(row, column);
            for (int role = 0; role < 16; ++role)
                model.data(index, role);
            for (int role = Qt::UserRole; role <= Qt::UserRole + 16; ++role)
                model.data(index, role);
            model.flags(index);
        }
    }
}

void readEverything(const Workbench &workbench)
{
    readEveryCell(*workbench.opportunities());
    readEveryCell(*workbench.proposals());
    readEveryCell(*workbench.buys());
    readEveryCell(*workbench.events());
    readEveryCell(*workbench.products());
    readEveryCell(*workbench.exchanges());
    for (int row = 0; row < workbench.proposals()->rowCount(); ++row)
        workbench.proposals()->versions(row);
    workbench.sessionState();
}

adcp::gui::WorkspaceSnapshot savedSnapshot(const Workbench &workbench)
{
    adcp::gui::WorkspaceSnapshot snapshot;
    // As the keeper writes them: serialized, then read back through the store's parser.
    const auto keep = [&snapshot](const char *kind, const json &document) {
        QString error;
        auto back = adcp::gui::parseWorkspaceDocument(QByteArray::fromStdString(document.dump()), &error);
        if (!back)
            fail("a saved document did not parse back");
        snapshot.documents.insert(QString::fromLatin1(kind), std::move(*back));
    };
    keep("opportunities", workbench.opportunities()->saveState());
    keep("proposals", workbench.proposals()->saveState());
    keep("buys", workbench.buys()->saveState());
    keep("events", workbench.events()->saveState());
    keep("products", workbench.products()->products());
    keep("session", workbench.sessionState());
    for (int row = 0; row < workbench.exchanges()->rowCount(); ++row) {
        if (const adcp::Exchange *exchange = workbench.exchanges()->exchange(row))
            snapshot.exchanges.push_back(
                adcp::models::exchangeToJson(*exchange, workbench.exchanges()->isBackground(row)));
    }
    return snapshot;
}

void workspace(std::string_view rows)
{
    adcp::gui::WorkspaceSnapshot snapshot;
    while (!rows.empty()) {
        const adcp::fuzz::SplitInput line = adcp::fuzz::splitFirstLine(rows);
        rows = line.rest;
        const std::size_t tab = line.head.find('\t');
        if (tab == std::string_view::npos)
            continue;
        const std::string_view kind = line.head.substr(0, tab);
        const std::string_view text = line.head.substr(tab + 1);
        QString error;
        auto document = adcp::gui::parseWorkspaceDocument(
            QByteArray(text.data(), static_cast<qsizetype>(text.size())), &error);
        if (!document)
            continue;
        if (kind == "exchange")
            snapshot.exchanges.push_back(std::move(*document));
        else
            snapshot.documents.insert(QString::fromUtf8(kind.data(), static_cast<qsizetype>(kind.size())),
                                      std::move(*document));
    }
    Workbench workbench;
    adcp::gui::restoreWorkspace(&workbench, snapshot);
    readEverything(workbench);

    // What was restored, saved and restored again into the same session adds nothing.
    adcp::gui::WorkspaceSnapshot again = savedSnapshot(workbench);
    const adcp::gui::RestoredCounts twice = adcp::gui::restoreWorkspace(&workbench, again);
    if (twice.opportunities != 0 || twice.proposals != 0 || twice.buys != 0)
        fail("restoring the saved workspace into the session that saved it added rows");
    // And into a new session it brings everything back.
    Workbench fresh;
    adcp::gui::WorkspaceSnapshot copy = savedSnapshot(workbench);
    const adcp::gui::RestoredCounts counts = adcp::gui::restoreWorkspace(&fresh, copy);
    if (counts.buys != workbench.buys()->rowCount())
        fail("a saved buy did not come back");
    readEverything(fresh);
}

void scenario(std::string_view text)
{
    QString error;
    const auto parsed =
        adcp::models::parseScenario(QByteArray(text.data(), static_cast<qsizetype>(text.size())), &error);
    if (!parsed) {
        if (error.isEmpty())
            fail("a refused scenario came without a reason");
        return;
    }
    const QByteArray saved = adcp::models::serializeScenario(*parsed);
    const auto back = adcp::models::parseScenario(saved, &error);
    if (!back)
        fail("a scenario that parsed did not parse back after saving");
    if (adcp::models::scenarioToJson(*back) != adcp::models::scenarioToJson(*parsed))
        fail("a scenario changed between saving and reading back");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ensureApplication();
    static const std::vector<std::string> kinds{"workspace", "scenario"};
    const adcp::fuzz::SplitInput input = adcp::fuzz::splitFirstLine(adcp::fuzz::asText(data, size));
    if (adcp::fuzz::pickBySelector(input.head, kinds) == "workspace")
        workspace(input.rest);
    else
        scenario(input.rest);
    return 0;
}
