#pragma once

#include "dispatcher.h"
#include "sellercontext.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

// The embedded seller the network tests put behind a SellerHttpServer or a SellerRouter: default options, its
// database in `dir`. nullptr with *error set when the database does not open.
inline std::shared_ptr<adcp::seller::Dispatcher> openTestSeller(const QTemporaryDir &dir, QString *error)
{
    adcp::seller::SellerOptions options;
    options.databasePath = dir.filePath(QStringLiteral("seller.sqlite"));
    auto context = adcp::seller::SellerContext::open(options, error);
    if (!context)
        return nullptr;
    return std::make_shared<adcp::seller::Dispatcher>(context);
}
