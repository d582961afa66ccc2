import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ErrorSummary } from "~/components/ErrorSummary";
import { NotificationBanner } from "~/components/NotificationBanner";
import { canEditPolicy } from "~/domain/access";
import { ClassificationSettingsSchema, DEFAULT_CLASSIFICATION, type ClassificationSettings } from "~/domain/classification";
import { DEFAULT_POLICY, describePolicy, PolicySchema, type Policy } from "~/domain/policy";
import { getClassificationSettings, saveClassificationSettings } from "~/services/classification.server";
import { getPolicy, savePolicy } from "~/services/policy.server";
import { requireIcbAccess } from "~/utils/auth.server";
import { getDb } from "~/utils/db.server";
import { formatInstant } from "~/utils/format";
import { parseForm } from "~/utils/forms";
import { forbidden } from "~/utils/http.server";

/**
 * The ICB's flagging policy and its thresholds for the can't/won't classification, two forms told apart by
 * `intent` (`policy`, the default, or `classification`). Its own commissioners change them; admins may look but not
 * change them, because both are commissioning decisions (docs/decisions/0010). Every change is audited.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Settings – ${data?.icb.name ?? "ICB"} – ICB Access Monitor` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, icb } = await requireIcbAccess(request, params.icbCode);
  const [policy, classification] = await Promise.all([getPolicy(getDb(), icb.code), getClassificationSettings(getDb(), icb.code)]);
  const saved = new URL(request.url).searchParams.get("saved");
  return {
    icb: { code: icb.code, name: icb.name },
    policy,
    classification,
    canEdit: canEditPolicy(user, icb.code),
    saved: saved === "1" || saved === "policy" ? "policy" : saved === "classification" ? "classification" : null,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, icb } = await requireIcbAccess(request, params.icbCode);
  if (!canEditPolicy(user, icb.code)) throw forbidden();
  const form = await request.formData();
  const by = { actor: user.email, userId: user.id, ip: context.clientIp ?? null };
  // The policy form predates intents: a post without one is the policy.
  const intent = form.get("intent") ?? "policy";
  if (intent === "classification") {
    const parsed = parseForm(form, ClassificationSettingsSchema);
    if (!parsed.ok) return data({ intent: "classification" as const, errors: parsed.errors, values: parsed.values }, { status: 400 });
    await saveClassificationSettings(getDb(), icb.code, parsed.data, by);
    throw redirect(`/icb/${icb.code}/settings?saved=classification`);
  }
  if (intent !== "policy") return data({ intent: "policy" as const, errors: { form: "Choose which settings to save" }, values: {} }, { status: 400 });
  const parsed = parseForm(form, PolicySchema);
  if (!parsed.ok) return data({ intent: "policy" as const, errors: parsed.errors, values: parsed.values }, { status: 400 });
  await savePolicy(getDb(), icb.code, parsed.data, by);
  throw redirect(`/icb/${icb.code}/settings?saved=1`);
}

const FIELDS: { key: keyof Policy; label: string; hint: string; suffix: string }[] = [
  {
    key: "closedMinutesPerDay",
    label: "Closed minutes that flag a day",
    hint: "A core day (630 minutes, 08:00 to 18:30) is flagged when the tool was closed for at least this many minutes. Minutes inside an approved pause do not count.",
    suffix: "minutes",
  },
  {
    key: "flaggedDays",
    label: "Flagged days that flag a practice",
    hint: "A practice is flagged when it has at least this many flagged days within the window below.",
    suffix: "days",
  },
  { key: "windowDays", label: "Window", hint: "The number of calendar days (not only core days) the flagged days must fall within.", suffix: "days" },
];

const CLASSIFICATION_FIELDS: { key: keyof ClassificationSettings; label: string; hint: string; suffix: string; inputMode: "numeric" | "decimal" }[] = [
  {
    key: "maxNoDataShare",
    label: "Most core minutes without data",
    hint: "As a share from 0 to 1. A practice with more of its core minutes without availability data than this is \u201cnot enough data\u201d: it is not judged either way.",
    suffix: "",
    inputMode: "decimal",
  },
  {
    key: "highDecile",
    label: "High decile",
    hint: "Online submissions per appointment, submissions per 1,000 patients and the missed-call share count as a sign of pressure in this decile among the ICB's practices or above (10 = the highest tenth).",
    suffix: "",
    inputMode: "numeric",
  },
  {
    key: "lowWorkforceDecile",
    label: "Low workforce decile",
    hint: "Clinical staff (FTE) per 10,000 patients counts as a sign of pressure in this decile or below (1 = the lowest tenth).",
    suffix: "",
    inputMode: "numeric",
  },
  {
    key: "minPressureSignals",
    label: "Signs of pressure needed",
    hint: "A flagged practice with at least this many signs of pressure (the measures above, or a surge in online demand) is \u201ccapacity pressure: offer support first\u201d; with fewer, \u201cclosures without evident pressure: contract conversation\u201d.",
    suffix: "",
    inputMode: "numeric",
  },
];

function NumberInput({
  name,
  label,
  hint,
  error,
  value,
  inputMode,
}: {
  name: string;
  label: string;
  hint: string;
  error: string | undefined;
  value: string;
  inputMode: "numeric" | "decimal";
}) {
  const hintId = `${name}-hint`;
  return (
    <div className={`nhsuk-form-group${error ? " nhsuk-form-group--error" : ""}`}>
      <label className="nhsuk-label" htmlFor={name}>
        {label}
      </label>
      <div className="nhsuk-hint" id={hintId}>
        {hint}
      </div>
      {error ? (
        <span className="nhsuk-error-message" id={`${name}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      ) : null}
      <input
        className={`nhsuk-input nhsuk-input--width-4${error ? " nhsuk-input--error" : ""}`}
        id={name}
        name={name}
        type="text"
        inputMode={inputMode}
        spellCheck={false}
        defaultValue={value}
        aria-describedby={error ? `${hintId} ${name}-error` : hintId}
      />
    </div>
  );
}

export default function IcbSettings() {
  const { icb, policy, classification, canEdit, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const errors: Record<string, string> = result?.errors ?? {};
  const values: Record<string, string> = result?.values ?? {};
  const policyErrors = result?.intent === "policy" ? errors : {};
  const classificationErrors = result?.intent === "classification" ? errors : {};
  const current = { closedMinutesPerDay: policy.closedMinutesPerDay, flaggedDays: policy.flaggedDays, windowDays: policy.windowDays };
  const thresholds: ClassificationSettings = {
    maxNoDataShare: classification.maxNoDataShare,
    highDecile: classification.highDecile,
    lowWorkforceDecile: classification.lowWorkforceDecile,
    minPressureSignals: classification.minPressureSignals,
  };
  const submitting = navigation.state === "submitting";
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <ErrorSummary
          errors={errors}
          order={result?.intent === "classification" ? CLASSIFICATION_FIELDS.map((f) => f.key) : [...FIELDS.map((f) => f.key), "form"]}
        />
        {saved === "policy" && !result ? (
          <NotificationBanner success heading="Policy saved">
            <p>Practices are now flagged with {describePolicy(current)}.</p>
          </NotificationBanner>
        ) : null}
        {saved === "classification" && !result ? (
          <NotificationBanner success heading="Classification thresholds saved">
            <p>The suggested approach for each practice now follows the new thresholds.</p>
          </NotificationBanner>
        ) : null}
        <span className="nhsuk-caption-l">{icb.name ?? icb.code}</span>
        <h1>Settings</h1>
        <h2>Flagging policy</h2>
        <p>
          Flags draw a commissioner&apos;s attention to a practice; they decide nothing. Now a practice is flagged with{" "}
          <strong data-testid="policy-description">{describePolicy(current)}</strong>.
        </p>
        <p data-testid="policy-changed">
          {policy.isDefault
            ? "This ICB uses the defaults."
            : `Last changed by ${policy.updatedBy ?? "unknown"}${policy.updatedAt ? ` on ${formatInstant(policy.updatedAt)}` : ""}.`}
        </p>
        {canEdit ? (
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="policy" />
            {FIELDS.map((f) => (
              <NumberInput
                key={f.key}
                name={f.key}
                label={f.label}
                hint={`${f.hint} Default: ${DEFAULT_POLICY[f.key]} ${f.suffix}.`}
                error={policyErrors[f.key]}
                value={result?.intent === "policy" ? (values[f.key] ?? String(current[f.key])) : String(current[f.key])}
                inputMode="numeric"
              />
            ))}
            <button className="nhsuk-button" type="submit" disabled={submitting}>
              Save the policy
            </button>
          </Form>
        ) : (
          <>
            <dl className="nhsuk-summary-list">
              {FIELDS.map((f) => (
                <div className="nhsuk-summary-list__row" key={f.key}>
                  <dt className="nhsuk-summary-list__key">{f.label}</dt>
                  <dd className="nhsuk-summary-list__value">
                    {current[f.key]} {f.suffix} (default {DEFAULT_POLICY[f.key]})
                  </dd>
                </div>
              ))}
            </dl>
            <p>Only the ICB&apos;s commissioners can change its policy.</p>
          </>
        )}

        <h2>Can&apos;t or won&apos;t: classification thresholds</h2>
        <p>
          For each flagged practice the service suggests an approach by setting its closures against signs of pressure among the ICB&apos;s
          practices: <strong>capacity pressure: offer support first</strong>, or <strong>closures without evident pressure: contract
          conversation</strong>. Practices that are not flagged are compliant; those with too little data are not judged. Every suggestion lists its
          reasons and numbers. This is a suggestion from the figures; a person decides.
        </p>
        <p data-testid="classification-changed">
          {classification.isDefault
            ? "This ICB uses the default thresholds."
            : `Last changed by ${classification.updatedBy ?? "unknown"}${classification.updatedAt ? ` on ${formatInstant(classification.updatedAt)}` : ""}.`}
        </p>
        {canEdit ? (
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="classification" />
            {CLASSIFICATION_FIELDS.map((f) => (
              <NumberInput
                key={f.key}
                name={f.key}
                label={f.label}
                hint={`${f.hint} Default: ${DEFAULT_CLASSIFICATION[f.key]}.`}
                error={classificationErrors[f.key]}
                value={result?.intent === "classification" ? (values[f.key] ?? String(thresholds[f.key])) : String(thresholds[f.key])}
                inputMode={f.inputMode}
              />
            ))}
            <button className="nhsuk-button" type="submit" disabled={submitting}>
              Save the thresholds
            </button>
          </Form>
        ) : (
          <>
            <dl className="nhsuk-summary-list" data-testid="classification-thresholds">
              {CLASSIFICATION_FIELDS.map((f) => (
                <div className="nhsuk-summary-list__row" key={f.key}>
                  <dt className="nhsuk-summary-list__key">{f.label}</dt>
                  <dd className="nhsuk-summary-list__value">
                    {thresholds[f.key]} (default {DEFAULT_CLASSIFICATION[f.key]})
                  </dd>
                </div>
              ))}
            </dl>
            <p>Only the ICB&apos;s commissioners can change its thresholds.</p>
          </>
        )}
      </div>
    </div>
  );
}
