"""Domain :class:`Invoice` -> UBL 2.1 Invoice / CreditNote bytes (Peppol BIS 3 shaped).

Element order follows the UBL 2.1 XSD sequences, which differ between Invoice and CreditNote (a credit note has
no DueDate and no ProjectReference, puts TaxPointDate before its type code, document allowances after the
exchange rates, and line TaxTotal before line AllowanceCharge). What the writer knows, the parser reads back:
``parse(render_ubl(x)) == x`` for the project's own sample invoices.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from lxml import etree

from adapters.ubl.document_reader import INVOICED_OBJECT_TYPE, PROJECT_TYPE
from adapters.ubl.safe_xml import CREDIT_NOTE_NS, INVOICE_NS
from domain.invoice import AllowanceCharge, DocumentKind, Invoice, InvoiceLine, Period
from domain.parties import Party

CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "{%s}" % CBC_NS
_CAC = "{%s}" % CAC_NS


def _num(value: Decimal) -> str:
    return format(value, "f")


class _Writer:
    def __init__(self, invoice: Invoice) -> None:
        self.inv = invoice
        self.credit = invoice.kind is DocumentKind.CREDIT_NOTE
        self.currency = invoice.currency

    # -- helpers -------------------------------------------------------------------------------------------
    def cbc(self, parent, element: str, value, /, **attrs):
        if value is None:
            return None
        el = etree.SubElement(parent, _CBC + element, {k: v for k, v in attrs.items() if v is not None})
        el.text = _num(value) if isinstance(value, Decimal) else str(value)
        return el

    def amount(self, parent, name: str, value: Decimal | None, currency: str | None = None):
        return self.cbc(parent, name, value, currencyID=currency or self.currency)

    @staticmethod
    def cac(parent, name: str):
        return etree.SubElement(parent, _CAC + name)

    def id_ref(self, parent, name: str, value: str | None) -> None:
        if value is not None:
            self.cbc(self.cac(parent, name), "ID", value)

    # -- document ------------------------------------------------------------------------------------------
    def render(self) -> bytes:
        inv, credit = self.inv, self.credit
        root_name, ns = ("CreditNote", CREDIT_NOTE_NS) if credit else ("Invoice", INVOICE_NS)
        root = etree.Element("{%s}%s" % (ns, root_name), nsmap={None: ns, "cac": CAC_NS, "cbc": CBC_NS})
        self.cbc(root, "CustomizationID", inv.customization_id)
        self.cbc(root, "ProfileID", inv.profile_id)
        self.cbc(root, "ID", inv.invoice_number)
        self.cbc(root, "IssueDate", inv.issue_date)
        if credit:
            self.cbc(root, "TaxPointDate", inv.tax_point_date)
            self.cbc(root, "CreditNoteTypeCode", inv.type_code)
        else:
            self.cbc(root, "DueDate", inv.due_date)
            self.cbc(root, "InvoiceTypeCode", inv.type_code)
        for note in inv.notes:
            self.cbc(root, "Note", note)
        if not credit:
            self.cbc(root, "TaxPointDate", inv.tax_point_date)
        self.cbc(root, "DocumentCurrencyCode", inv.currency)
        self.cbc(root, "TaxCurrencyCode", inv.tax_currency)
        refs = inv.references
        self.cbc(root, "AccountingCost", refs.accounting_reference)
        self.cbc(root, "BuyerReference", refs.buyer_reference)
        if inv.invoice_period is not None:
            self.period(root, inv.invoice_period)
        if refs.order_reference is not None:
            order = self.cac(root, "OrderReference")
            self.cbc(order, "ID", refs.order_reference)
            self.cbc(order, "SalesOrderID", refs.sales_order_id)
        for preceding in refs.preceding_invoices:
            doc = self.cac(self.cac(root, "BillingReference"), "InvoiceDocumentReference")
            self.cbc(doc, "ID", preceding.id)
            self.cbc(doc, "IssueDate", preceding.issue_date)
        self.id_ref(root, "DespatchDocumentReference", refs.despatch)
        self.id_ref(root, "ReceiptDocumentReference", refs.receipt)
        if not credit:
            self.id_ref(root, "OriginatorDocumentReference", inv.originator_document_reference)
        self.id_ref(root, "ContractDocumentReference", refs.contract)
        self.document_references(root)
        if credit:
            self.id_ref(root, "OriginatorDocumentReference", inv.originator_document_reference)
        else:
            self.id_ref(root, "ProjectReference", refs.project)
        self.party(self.cac(root, "AccountingSupplierParty"), inv.supplier)
        self.party(self.cac(root, "AccountingCustomerParty"), inv.customer)
        self.payment_means(root)
        if inv.payment_terms is not None:
            self.cbc(self.cac(root, "PaymentTerms"), "Note", inv.payment_terms)
        for ac in inv.allowances_charges:
            self.allowance_charge(root, ac, document_level=True)
        self.tax_totals(root)
        self.monetary_totals(root)
        for line in inv.lines:
            self.line(root, line)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def document_references(self, root) -> None:
        refs = self.inv.references
        if refs.invoiced_object is not None:
            doc = self.cac(root, "AdditionalDocumentReference")
            self.cbc(doc, "ID", refs.invoiced_object.value, schemeID=refs.invoiced_object.scheme)
            self.cbc(doc, "DocumentTypeCode", INVOICED_OBJECT_TYPE)
        if self.credit and refs.project is not None:
            doc = self.cac(root, "AdditionalDocumentReference")
            self.cbc(doc, "ID", refs.project)
            self.cbc(doc, "DocumentTypeCode", PROJECT_TYPE)
        for att in self.inv.attachments:
            doc = self.cac(root, "AdditionalDocumentReference")
            self.cbc(doc, "ID", att.id)
            self.cbc(doc, "DocumentDescription", att.description)
            if att.content is not None or att.external_uri is not None:
                holder = self.cac(doc, "Attachment")
                if att.content is not None:
                    self.cbc(holder, "EmbeddedDocumentBinaryObject", base64.b64encode(att.content).decode("ascii"),
                             mimeCode=att.mime_code or "application/octet-stream", filename=att.filename)
                if att.external_uri is not None:
                    self.cbc(self.cac(holder, "ExternalReference"), "URI", att.external_uri)

    def period(self, parent, period: Period) -> None:
        el = self.cac(parent, "InvoicePeriod")
        self.cbc(el, "StartDate", period.start)
        self.cbc(el, "EndDate", period.end)
        self.cbc(el, "DescriptionCode", period.description_code)

    def party(self, holder, party: Party) -> None:
        el = self.cac(holder, "Party")
        self.cbc(el, "EndpointID", party.endpoint_id, schemeID=party.endpoint_scheme)
        for ident in party.business_ids:
            self.cbc(self.cac(el, "PartyIdentification"), "ID", ident.value, schemeID=ident.scheme)
        if party.name is not None:
            self.cbc(self.cac(el, "PartyName"), "Name", party.name)
        if party.address is not None:
            a = party.address
            addr = self.cac(el, "PostalAddress")
            self.cbc(addr, "StreetName", a.street)
            self.cbc(addr, "AdditionalStreetName", a.additional_street)
            self.cbc(addr, "CityName", a.city)
            self.cbc(addr, "PostalZone", a.postal_code)
            self.cbc(addr, "CountrySubentity", a.subdivision)
            if a.country_code is not None:
                self.cbc(self.cac(addr, "Country"), "IdentificationCode", a.country_code)
        for value, scheme in ((party.vat_id, "VAT"), (party.tax_registration_id, "TAX")):
            if value is not None:
                pts = self.cac(el, "PartyTaxScheme")
                self.cbc(pts, "CompanyID", value)
                self.cbc(self.cac(pts, "TaxScheme"), "ID", scheme)
        if party.registration_name is not None or party.company_id is not None:
            legal = self.cac(el, "PartyLegalEntity")
            self.cbc(legal, "RegistrationName", party.registration_name)
            if party.company_id is not None:
                self.cbc(legal, "CompanyID", party.company_id.value, schemeID=party.company_id.scheme)
        if party.contact is not None:
            c = self.cac(el, "Contact")
            self.cbc(c, "Name", party.contact.name)
            self.cbc(c, "Telephone", party.contact.phone)
            self.cbc(c, "ElectronicMail", party.contact.email)

    def payment_means(self, root) -> None:
        due_in_means = self.credit and self.inv.due_date is not None
        for i, pm in enumerate(self.inv.payment_means):
            el = self.cac(root, "PaymentMeans")
            self.cbc(el, "PaymentMeansCode", pm.code, name=pm.name)
            if due_in_means and i == 0:
                self.cbc(el, "PaymentDueDate", self.inv.due_date)
            self.cbc(el, "PaymentID", pm.payment_id)
            if pm.iban is not None:
                account = self.cac(el, "PayeeFinancialAccount")
                self.cbc(account, "ID", pm.iban)
                self.cbc(account, "Name", pm.account_name)
                if pm.bic is not None:
                    self.cbc(self.cac(account, "FinancialInstitutionBranch"), "ID", pm.bic)

    def tax_category(self, parent, name: str, category: str | None, rate: Decimal | None,
                     reason_code: str | None = None, reason: str | None = None) -> None:
        el = self.cac(parent, name)
        self.cbc(el, "ID", category)
        self.cbc(el, "Percent", rate)
        self.cbc(el, "TaxExemptionReasonCode", reason_code)
        self.cbc(el, "TaxExemptionReason", reason)
        self.cbc(self.cac(el, "TaxScheme"), "ID", "VAT")

    def allowance_charge(self, parent, ac: AllowanceCharge, *, document_level: bool) -> None:
        el = self.cac(parent, "AllowanceCharge")
        self.cbc(el, "ChargeIndicator", "true" if ac.is_charge else "false")
        self.cbc(el, "AllowanceChargeReasonCode", ac.reason_code)
        self.cbc(el, "AllowanceChargeReason", ac.reason)
        self.cbc(el, "MultiplierFactorNumeric", ac.percent)
        self.amount(el, "Amount", ac.amount)
        self.amount(el, "BaseAmount", ac.base_amount)
        if document_level and (ac.vat_category is not None or ac.vat_rate is not None):
            self.tax_category(el, "TaxCategory", ac.vat_category, ac.vat_rate)

    def tax_totals(self, root) -> None:
        inv = self.inv
        total = self.cac(root, "TaxTotal")
        self.amount(total, "TaxAmount", inv.tax_total)
        for sub in inv.tax_subtotals:
            el = self.cac(total, "TaxSubtotal")
            self.amount(el, "TaxableAmount", sub.taxable_amount)
            self.amount(el, "TaxAmount", sub.tax_amount)
            self.tax_category(el, "TaxCategory", sub.category, sub.rate, sub.exemption_reason_code,
                              sub.exemption_reason)
        if inv.tax_total_in_tax_currency is not None:
            self.amount(self.cac(root, "TaxTotal"), "TaxAmount", inv.tax_total_in_tax_currency,
                        inv.tax_currency or inv.currency)

    def monetary_totals(self, root) -> None:
        t = self.inv.totals
        el = self.cac(root, "LegalMonetaryTotal")
        for name, value in (("LineExtensionAmount", t.line_total), ("TaxExclusiveAmount", t.tax_exclusive),
                            ("TaxInclusiveAmount", t.tax_inclusive), ("AllowanceTotalAmount", t.allowance_total),
                            ("ChargeTotalAmount", t.charge_total), ("PrepaidAmount", t.prepaid),
                            ("PayableRoundingAmount", t.rounding), ("PayableAmount", t.payable)):
            self.amount(el, name, value)

    def line(self, root, line: InvoiceLine) -> None:
        credit = self.credit
        el = self.cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        self.cbc(el, "ID", line.id)
        self.cbc(el, "Note", line.note)
        self.cbc(el, "CreditedQuantity" if credit else "InvoicedQuantity", line.quantity, unitCode=line.unit_code)
        self.amount(el, "LineExtensionAmount", line.net_amount)
        self.cbc(el, "AccountingCost", line.accounting_cost)
        if line.period is not None:
            self.period(el, line.period)
        if line.order_line_reference is not None:
            self.cbc(self.cac(el, "OrderLineReference"), "LineID", line.order_line_reference)
        for ac in line.allowances_charges:
            self.allowance_charge(el, ac, document_level=False)
        item = self.cac(el, "Item")
        self.cbc(item, "Description", line.description)
        self.cbc(item, "Name", line.name)
        if line.buyer_item_id is not None:
            self.cbc(self.cac(item, "BuyersItemIdentification"), "ID", line.buyer_item_id)
        if line.seller_item_id is not None:
            self.cbc(self.cac(item, "SellersItemIdentification"), "ID", line.seller_item_id)
        if line.standard_item_id is not None:
            std = line.standard_item_id
            self.cbc(self.cac(item, "StandardItemIdentification"), "ID", std.value, schemeID=std.scheme)
        self.tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        price = self.cac(el, "Price")
        self.amount(price, "PriceAmount", line.price)
        if line.base_quantity != 1:
            self.cbc(price, "BaseQuantity", line.base_quantity, unitCode=line.unit_code)
        if line.price_allowance is not None:
            pac = self.cac(price, "AllowanceCharge")
            self.cbc(pac, "ChargeIndicator", "false")
            self.amount(pac, "Amount", line.price_allowance)
            self.amount(pac, "BaseAmount", line.gross_price)


def render_ubl(invoice: Invoice) -> bytes:
    """Serialize the invoice as a UTF-8 UBL 2.1 Invoice (or CreditNote for ``kind=CREDIT_NOTE``)."""
    return _Writer(invoice).render()
